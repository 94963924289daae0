//! Accounts, API keys, admin routes, projects with versions, templates and
//! isolation, as a user of the HTTP API sees them: a real server on a random
//! port, real HTTP, every test once on SQLite and once on Postgres.

mod common;

use ai_modeler::config::{Config, Secret};
use common::{Db, TestApp, assert_problem, spawn_app_on};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, SET_COOKIE, WWW_AUTHENTICATE};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const ADMIN_KEY: &str = "admin-key-for-tests-0123456789";

fn sphere(r: f64) -> Value {
    json!({ "Sphere": { "radius": r } })
}

/// A signed-in user: their id, email and bearer token.
struct Client {
    id: String,
    email: String,
    token: String,
}

async fn signup(app: &TestApp, email: &str) -> Client {
    let res = app
        .post_json(
            "/v1/auth/signup",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    Client {
        id: body["user"]["id"].as_str().unwrap().into(),
        email: email.to_lowercase(),
        token: body["token"].as_str().unwrap().into(),
    }
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.header(AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    call(app, reqwest::Method::GET, path, Some(token), None).await
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    call(app, reqwest::Method::POST, path, Some(token), Some(body)).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    call(app, reqwest::Method::PATCH, path, Some(token), Some(body)).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    call(app, reqwest::Method::DELETE, path, Some(token), None).await
}

async fn json_ok(res: reqwest::Response, status: u16) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

async fn new_project(app: &TestApp, c: &Client, name: &str) -> Value {
    json_ok(
        post(
            app,
            "/v1/projects",
            &c.token,
            json!({"name": name, "tree": sphere(1.0)}),
        )
        .await,
        201,
    )
    .await
}

fn admin_config() -> Config {
    Config {
        admin_api_key: Some(Secret::new(ADMIN_KEY)),
        ..Config::default()
    }
}

both_backends!(
    signup_login_me_logout,
    bad_signups_and_logins_are_4xx,
    tokens_forged_expired_or_missing_get_401,
    login_is_throttled_per_account_and_ip,
    sessions_survive_a_restart,
    api_keys_work_once_listed_and_revoked,
    admin_lists_users_and_sets_plans,
    supabase_tokens_create_users_on_first_sight,
    projects_save_versions_and_refuse_stale_saves,
    versions_restore_as_new_versions,
    projects_list_paginates_and_searches,
    trash_restore_and_purge,
    plan_limits_name_the_limit,
    malformed_trees_are_refused_with_engine_errors,
    templates_are_browsable_and_start_projects,
    every_user_data_route_hides_other_users_data,
    bad_input_never_gives_500,
);

async fn signup_login_me_logout(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let res = app
        .post_json(
            "/v1/auth/signup",
            &json!({"email": "  Ada@Example.com ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(cookie.starts_with("aim_session=aims1."), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["plan"], "free");
    assert!(body["user"].get("password_hash").is_none());

    // Login answers a token and sets the cookie.
    let res = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "ADA@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().unwrap().to_string();
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));

    // Bearer and cookie both authenticate.
    let me = json_ok(get(&app, "/v1/me", &token).await, 200).await;
    assert_eq!(me["user"]["email"], "ada@example.com");
    assert_eq!(me["plan"]["max_projects"], 5);
    assert_eq!(me["usage"]["projects"], 0);
    assert_eq!(me["authenticated_with"], "session");
    let cookie_pair = cookie.split(';').next().unwrap().to_string();
    let res = app
        .client
        .get(app.url("/v1/me"))
        .header("cookie", &cookie_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Logout revokes that session server-side (the token is still well signed).
    let res = call(
        &app,
        reqwest::Method::POST,
        "/v1/auth/logout",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert!(
        res.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let res = get(&app, "/v1/me", &token).await;
    assert!(res.headers().contains_key(WWW_AUTHENTICATE));
    assert_problem(res, 401, "invalid_token").await;
    let res = app
        .client
        .get(app.url("/v1/me"))
        .header("cookie", &cookie_pair)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_token").await;
}

async fn bad_signups_and_logins_are_4xx(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    signup(&app, "grace@example.com").await;
    let res = app
        .post_json(
            "/v1/auth/signup",
            &json!({"email": "GRACE@example.com", "password": PASSWORD}),
        )
        .await;
    let body = assert_problem(res, 409, "email_taken").await;
    assert_eq!(body["field"], "email");

    for (pw, rule) in [
        ("short", "at least 10 characters"),
        ("aaaaaaaaaaaaaa", "5 different characters"),
        ("password123", "common"),
        ("linus@example.com", "email"),
    ] {
        let res = app
            .post_json(
                "/v1/auth/signup",
                &json!({"email": "linus@example.com", "password": pw}),
            )
            .await;
        let body = assert_problem(res, 422, "weak_password").await;
        assert_eq!(body["field"], "password");
        assert!(body["detail"].as_str().unwrap().contains(rule), "{body}");
    }
    for email in ["", "nobody", "a@b", "a b@c.io"] {
        let res = app
            .post_json(
                "/v1/auth/signup",
                &json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_problem(res, 422, "invalid_email").await;
    }
    let res = app
        .post_json("/v1/auth/signup", &json!({"email": "x@y.io"}))
        .await;
    assert_problem(res, 422, "invalid_request").await;

    // Wrong password and unknown account look the same.
    let wrong = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "grace@example.com", "password": "not the password"}),
        )
        .await;
    assert!(wrong.headers().contains_key(WWW_AUTHENTICATE));
    let a = assert_problem(wrong, 401, "invalid_credentials").await;
    let unknown = app
        .post_json(
            "/v1/auth/login",
            &json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    let b = assert_problem(unknown, 401, "invalid_credentials").await;
    assert_eq!(a["detail"], b["detail"]);
}

async fn tokens_forged_expired_or_missing_get_401(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "alan@example.com").await;

    let res = app.get("/v1/me").await;
    let www = res.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(www.starts_with("Bearer realm="), "{www}");
    assert_problem(res, 401, "unauthenticated").await;

    // Forged: the signature of another secret, a changed expiry, garbage.
    let (body, _) = c.token.rsplit_once('.').unwrap();
    let parts: Vec<&str> = body.split('.').collect();
    let later = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        parts[2].parse::<i64>().unwrap() + 3600
    );
    let forged = [
        format!("{body}.AAAA"),
        format!("{later}.{}", c.token.rsplit_once('.').unwrap().1),
        ai_modeler::server::auth::token::sign_session(
            b"0123456789abcdef0123456789abcdef",
            parts[1],
            4_000_000_000,
        ),
        "aims1.garbage".to_string(),
        "nonsense".to_string(),
        "aim_notakey".to_string(),
        "a.b.c".to_string(),
    ];
    for t in forged {
        let res = get(&app, "/v1/me", &t).await;
        let www = res.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(www.contains("error=\"invalid_token\""), "{www}");
        assert_problem(res, 401, "invalid_token").await;
    }
    // Expired: correctly signed with this server's secret, but in the past.
    let secret = app
        .state
        .store
        .setting_or_insert("session_secret", String::new)
        .await
        .unwrap();
    let expired = ai_modeler::server::auth::token::sign_session(secret.as_bytes(), parts[1], 1_000);
    let body = assert_problem(get(&app, "/v1/me", &expired).await, 401, "invalid_token").await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
    // A non-Bearer scheme.
    let res = app
        .client
        .get(app.url("/v1/me"))
        .header(AUTHORIZATION, "Basic YTpi")
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "invalid_token").await;
    // Engine routes stay open to anonymous callers.
    let res = app
        .post_json("/v1/engine/compile", &json!({"tree": sphere(1.0)}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get("/v1/templates").await.status(), 200);
    // Health and readiness report the database.
    let health: Value = app.get("/health").await.json().await.unwrap();
    let backend = if db == Db::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(health["database"], json!({"backend": backend, "ok": true}));
    assert!(
        health["features"]
            .as_array()
            .unwrap()
            .contains(&json!("accounts"))
    );
    assert_eq!(app.get("/ready").await.status(), 200);
}

async fn login_is_throttled_per_account_and_ip(db: Db) {
    let config = Config {
        login_max_failures: 3,
        login_max_failures_per_ip: 6,
        ..Config::default()
    };
    let app = spawn_app_on(db, config).await;
    signup(&app, "kat@example.com").await;
    signup(&app, "lee@example.com").await;
    async fn login(app: &TestApp, email: &str, pw: &str) -> reqwest::Response {
        app.post_json("/v1/auth/login", &json!({"email": email, "password": pw}))
            .await
    }
    for _ in 0..3 {
        assert_eq!(
            login(&app, "kat@example.com", "wrong password!")
                .await
                .status(),
            401
        );
    }
    // The account is locked, even with the right password.
    let res = login(&app, "kat@example.com", PASSWORD).await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body = assert_problem(res, 429, "too_many_attempts").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("LOGIN_MAX_FAILURES")
    );
    // Another account still logs in; its success does not unlock the first.
    assert_eq!(login(&app, "lee@example.com", PASSWORD).await.status(), 200);
    // Three more failures from this address (on unknown accounts) lock the IP.
    for _ in 0..3 {
        assert_eq!(
            login(&app, "nobody@example.com", "wrong password!")
                .await
                .status(),
            401
        );
    }
    assert_problem(
        login(&app, "lee@example.com", PASSWORD).await,
        429,
        "too_many_attempts",
    )
    .await;
}

async fn sessions_survive_a_restart(db: Db) {
    // Two servers on one database share the generated secret and the sessions.
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "restart@example.com").await;
    let config = Config {
        database_url: Secret::new(app.db.url.clone()),
        ..Config::default()
    };
    let second = ai_modeler::server::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(ai_modeler::server::serve(
        listener,
        second,
        std::future::pending(),
    ));
    let res = app
        .client
        .get(format!("http://{addr}/v1/me"))
        .bearer_auth(&c.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn api_keys_work_once_listed_and_revoked(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "dev@example.com").await;
    let created = json_ok(
        post(&app, "/v1/api-keys", &c.token, json!({"name": "ci script"})).await,
        201,
    )
    .await;
    let key = created["key"].as_str().unwrap().to_string();
    assert!(key.starts_with("aim_") && key.len() > 40);
    assert_eq!(created["name"], "ci script");
    let id = created["id"].as_str().unwrap().to_string();

    // The key authenticates as its owner and can do what they can.
    let me = json_ok(get(&app, "/v1/me", &key).await, 200).await;
    assert_eq!(me["user"]["id"], c.id.as_str());
    assert_eq!(me["authenticated_with"], "api_key");
    new_project(
        &app,
        &Client {
            token: key.clone(),
            id: c.id.clone(),
            email: c.email.clone(),
        },
        "scripted",
    )
    .await;

    // Listed with prefix, name, created and last used; never the key.
    let list = json_ok(get(&app, "/v1/api-keys", &c.token).await, 200).await;
    let item = &list["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert!(key.starts_with(item["prefix"].as_str().unwrap()));
    assert!(item["created_at"].is_string() && item["last_used_at"].is_string());
    assert!(!list.to_string().contains(&key));
    // Stored only as its hash: the key's text is nowhere in the table.
    let rows: Vec<(String, String)> = {
        use sqlx::Row;
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&app.db.url)
            .await
            .unwrap();
        sqlx::query("SELECT key_hash, prefix FROM api_keys")
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("key_hash"), r.get("prefix")))
            .collect()
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].0,
        ai_modeler::server::auth::token::sha256_hex(key.as_bytes())
    );
    assert!(!rows[0].0.contains(&key) && rows[0].1.len() < 16);

    // Logging out an API key is refused; revoking it stops it at once.
    let res = call(
        &app,
        reqwest::Method::POST,
        "/v1/auth/logout",
        Some(&key),
        None,
    )
    .await;
    assert_problem(res, 422, "not_a_session").await;
    assert_eq!(
        delete(&app, &format!("/v1/api-keys/{id}"), &c.token)
            .await
            .status(),
        204
    );
    assert_problem(get(&app, "/v1/me", &key).await, 401, "invalid_token").await;
    assert_problem(
        delete(&app, &format!("/v1/api-keys/{id}"), &c.token).await,
        404,
        "api_key_not_found",
    )
    .await;
    let res = post(&app, "/v1/api-keys", &c.token, json!({"name": "  "})).await;
    assert_problem(res, 422, "invalid_name").await;
}

async fn admin_lists_users_and_sets_plans(db: Db) {
    let app = spawn_app_on(db, admin_config()).await;
    let a = signup(&app, "ops-a@example.com").await;
    signup(&app, "ops-b@example.com").await;
    // A user's token is not the admin key.
    assert_problem(
        get(&app, "/v1/admin/users", &a.token).await,
        401,
        "invalid_token",
    )
    .await;
    assert_problem(app.get("/v1/admin/users").await, 401, "unauthenticated").await;

    let page = json_ok(get(&app, "/v1/admin/users?limit=1", ADMIN_KEY).await, 200).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = json_ok(
        get(
            &app,
            &format!("/v1/admin/users?limit=1&cursor={cursor}"),
            ADMIN_KEY,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert_ne!(page["items"][0]["id"], next["items"][0]["id"]);
    let found = json_ok(get(&app, "/v1/admin/users?q=ops-b", ADMIN_KEY).await, 200).await;
    assert_eq!(found["items"][0]["email"], "ops-b@example.com");

    let path = format!("/v1/admin/users/{}/plan", a.id);
    let res = call(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(ADMIN_KEY),
        Some(json!({"plan": "pro"})),
    )
    .await;
    assert_eq!(json_ok(res, 200).await["plan"], "pro");
    let me = json_ok(get(&app, "/v1/me", &a.token).await, 200).await;
    assert_eq!(me["plan"]["max_projects"], 100);
    let res = call(
        &app,
        reqwest::Method::PUT,
        &path,
        Some(ADMIN_KEY),
        Some(json!({"plan": "gold"})),
    )
    .await;
    assert_problem(res, 422, "unknown_plan").await;
    let res = call(
        &app,
        reqwest::Method::PUT,
        "/v1/admin/users/nope/plan",
        Some(ADMIN_KEY),
        Some(json!({"plan": "pro"})),
    )
    .await;
    assert_problem(res, 404, "user_not_found").await;
    let plans = json_ok(get(&app, "/v1/admin/plans", ADMIN_KEY).await, 200).await;
    assert_eq!(plans["items"].as_array().unwrap().len(), 3);

    // Without ADMIN_API_KEY the admin routes are off.
    let plain = spawn_app_on(db, Config::default()).await;
    assert_problem(
        get(&plain, "/v1/admin/users", ADMIN_KEY).await,
        401,
        "admin_disabled",
    )
    .await;
}

async fn supabase_tokens_create_users_on_first_sight(db: Db) {
    let secret = "super-secret-jwt-token-with-at-least-32-characters";
    let config = Config {
        supabase_jwt_secret: Some(Secret::new(secret)),
        ..Config::default()
    };
    let app = spawn_app_on(db, config).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sign =
        |claims: Value| ai_modeler::server::auth::token::sign_hs256(secret.as_bytes(), &claims);
    let token = sign(
        json!({"sub": "3f1c-supa", "email": "Supa@Example.com", "role": "authenticated", "aud": "authenticated", "exp": now + 600}),
    );
    let me = json_ok(get(&app, "/v1/me", &token).await, 200).await;
    assert_eq!(me["user"]["email"], "supa@example.com");
    assert_eq!(me["user"]["auth"], "supabase");
    assert_eq!(me["authenticated_with"], "supabase");
    // The same user next time.
    let again = json_ok(get(&app, "/v1/me", &token).await, 200).await;
    assert_eq!(again["user"]["id"], me["user"]["id"]);
    new_project(
        &app,
        &Client {
            token: token.clone(),
            id: String::new(),
            email: String::new(),
        },
        "from supabase",
    )
    .await;

    let expired = sign(json!({"sub": "3f1c-supa", "role": "authenticated", "exp": now - 10}));
    assert_problem(get(&app, "/v1/me", &expired).await, 401, "invalid_token").await;
    let other_key = ai_modeler::server::auth::token::sign_hs256(
        b"not the secret",
        &json!({"sub": "x", "exp": now + 600}),
    );
    assert_problem(get(&app, "/v1/me", &other_key).await, 401, "invalid_token").await;
    let anon = sign(json!({"role": "anon", "exp": now + 600}));
    assert_problem(get(&app, "/v1/me", &anon).await, 401, "invalid_token").await;
    // A local account's email is never taken over by a token.
    signup(&app, "local@example.com").await;
    let clash = sign(
        json!({"sub": "other", "email": "local@example.com", "role": "authenticated", "exp": now + 600}),
    );
    assert_problem(get(&app, "/v1/me", &clash).await, 409, "email_taken").await;
    // Logout remembers the token as revoked.
    let res = call(
        &app,
        reqwest::Method::POST,
        "/v1/auth/logout",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_problem(get(&app, "/v1/me", &token).await, 401, "invalid_token").await;

    // Without the secret, Supabase tokens are refused with a clear reason.
    let plain = spawn_app_on(db, Config::default()).await;
    let body = assert_problem(get(&plain, "/v1/me", &token).await, 401, "invalid_token").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("SUPABASE_JWT_SECRET")
    );
}

async fn projects_save_versions_and_refuse_stale_saves(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "modeler@example.com").await;
    let p = new_project(&app, &c, "Teapot").await;
    let id = p["id"].as_str().unwrap().to_string();
    assert_eq!(p["version"], 1);
    assert_eq!(p["tree"], sphere(1.0));
    assert_eq!(p["current"]["author"]["email"], "modeler@example.com");
    let path = format!("/v1/projects/{id}");

    let saved = json_ok(
        patch(
            &app,
            &path,
            &c.token,
            json!({"base_version": 1, "tree": sphere(2.0), "message": "bigger"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["tree"], sphere(2.0));
    assert_eq!(saved["current"]["message"], "bigger");

    // A save from version 1 again is stale: 409 with the current version.
    let res = patch(
        &app,
        &path,
        &c.token,
        json!({"base_version": 1, "tree": sphere(3.0)}),
    )
    .await;
    let body = assert_problem(res, 409, "version_conflict").await;
    assert_eq!(body["current_version"], 2);
    assert_eq!(body["project"]["version"], 2);
    let now = json_ok(get(&app, &path, &c.token).await, 200).await;
    assert_eq!(now["tree"], sphere(2.0), "a stale save must not overwrite");

    // Rename alone keeps the version; base_version is required.
    let renamed = json_ok(
        patch(
            &app,
            &path,
            &c.token,
            json!({"base_version": 2, "name": "Tea pot"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (renamed["name"].as_str(), renamed["version"].as_i64()),
        (Some("Tea pot"), Some(2))
    );
    assert_problem(
        patch(&app, &path, &c.token, json!({"tree": sphere(1.0)})).await,
        422,
        "missing_base_version",
    )
    .await;
    assert_problem(
        patch(&app, &path, &c.token, json!({"base_version": 2})).await,
        422,
        "nothing_to_save",
    )
    .await;

    // History: newest first, each with message, author and time.
    let versions = json_ok(get(&app, &format!("{path}/versions"), &c.token).await, 200).await;
    let items = versions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["version"].as_i64(), items[1]["version"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(items[0]["message"], "bigger");
    assert!(items[0]["created_at"].is_string() && items[0].get("tree").is_none());
    let v1 = json_ok(
        get(&app, &format!("{path}/versions/1"), &c.token).await,
        200,
    )
    .await;
    assert_eq!(v1["tree"], sphere(1.0));
    assert_problem(
        get(&app, &format!("{path}/versions/9"), &c.token).await,
        404,
        "version_not_found",
    )
    .await;
    assert_problem(
        get(&app, &format!("{path}/versions/x"), &c.token).await,
        404,
        "version_not_found",
    )
    .await;

    // Concurrent saves from one base: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let client = app.client.clone();
        let url = app.url(&path);
        let token = c.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .patch(url)
                .bearer_auth(token)
                .json(&json!({"base_version": 2, "tree": sphere(1.0 + i as f64 / 10.0)}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        5,
        "{statuses:?}"
    );
    let after = json_ok(get(&app, &path, &c.token).await, 200).await;
    assert_eq!(after["version"], 3);
}

async fn versions_restore_as_new_versions(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "restorer@example.com").await;
    let id = new_project(&app, &c, "History").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/projects/{id}");
    for (base, r) in [(1, 2.0), (2, 3.0)] {
        json_ok(
            patch(
                &app,
                &path,
                &c.token,
                json!({"base_version": base, "tree": sphere(r)}),
            )
            .await,
            200,
        )
        .await;
    }
    let restored = json_ok(
        call(
            &app,
            reqwest::Method::POST,
            &format!("{path}/versions/1/restore"),
            Some(&c.token),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(restored["version"], 4);
    assert_eq!(restored["tree"], sphere(1.0));
    assert_eq!(restored["current"]["restored_from"], 1);
    assert_eq!(restored["current"]["message"], "Restored version 1");
    // History kept.
    let versions = json_ok(
        get(&app, &format!("{path}/versions?limit=2"), &c.token).await,
        200,
    )
    .await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);
    let cursor = versions["next_cursor"].as_str().unwrap();
    let older = json_ok(
        get(
            &app,
            &format!("{path}/versions?limit=2&cursor={cursor}"),
            &c.token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(older["items"][0]["version"], 2);
    assert_eq!(older["items"][1]["version"], 1);
    assert!(older["next_cursor"].is_null());
    // With a stale base_version, the restore is refused like a save.
    let res = post(
        &app,
        &format!("{path}/versions/2/restore"),
        &c.token,
        json!({"base_version": 1}),
    )
    .await;
    assert_problem(res, 409, "version_conflict").await;
    let res = post(
        &app,
        &format!("{path}/versions/2/restore"),
        &c.token,
        json!({"base_version": 4, "message": "back to 2"}),
    )
    .await;
    let body = json_ok(res, 200).await;
    assert_eq!(
        (body["version"].as_i64(), body["tree"].clone()),
        (Some(5), sphere(2.0))
    );
    assert_problem(
        post(
            &app,
            &format!("{path}/versions/77/restore"),
            &c.token,
            json!({}),
        )
        .await,
        404,
        "version_not_found",
    )
    .await;
}

async fn projects_list_paginates_and_searches(db: Db) {
    let app = spawn_app_on(db, admin_config()).await;
    let c = signup(&app, "lister@example.com").await;
    let res = call(
        &app,
        reqwest::Method::PUT,
        &format!("/v1/admin/users/{}/plan", c.id),
        Some(ADMIN_KEY),
        Some(json!({"plan": "pro"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let names = [
        "Chair",
        "Table",
        "Armchair",
        "Lamp",
        "Rocking chair",
        "Vase",
        "50% off_sale",
    ];
    for n in names {
        new_project(&app, &c, n).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/projects?limit=3&cursor={c}"),
            None => "/v1/projects?limit=3".to_string(),
        };
        let page = json_ok(get(&app, &path, &c.token).await, 200).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), names.len());
    assert_eq!(seen[0], "50% off_sale", "most recently updated first");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "no duplicates across pages");

    let found = json_ok(get(&app, "/v1/projects?q=CHAIR", &c.token).await, 200).await;
    let mut hits: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    hits.sort();
    assert_eq!(hits, ["Armchair", "Chair", "Rocking chair"]);
    // LIKE wildcards in q are literal.
    let pct = json_ok(get(&app, "/v1/projects?q=%25", &c.token).await, 200).await;
    assert_eq!(pct["items"].as_array().unwrap().len(), 1);
    let under = json_ok(get(&app, "/v1/projects?q=_", &c.token).await, 200).await;
    assert_eq!(under["items"].as_array().unwrap().len(), 1);

    assert_problem(
        get(&app, "/v1/projects?limit=0", &c.token).await,
        422,
        "invalid_limit",
    )
    .await;
    assert_problem(
        get(&app, "/v1/projects?limit=1000", &c.token).await,
        422,
        "invalid_limit",
    )
    .await;
    assert_problem(
        get(&app, "/v1/projects?cursor=!!", &c.token).await,
        422,
        "invalid_cursor",
    )
    .await;
    assert_problem(
        get(&app, "/v1/projects?limit=abc", &c.token).await,
        422,
        "invalid_request",
    )
    .await;
}

async fn trash_restore_and_purge(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "trash@example.com").await;
    let id = new_project(&app, &c, "Old idea").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let keep = new_project(&app, &c, "Keeper").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/projects/{id}");
    assert_eq!(delete(&app, &path, &c.token).await.status(), 204);
    assert_eq!(
        delete(&app, &path, &c.token).await.status(),
        204,
        "idempotent"
    );

    let live = json_ok(get(&app, "/v1/projects", &c.token).await, 200).await;
    assert_eq!(live["items"].as_array().unwrap().len(), 1);
    let trash = json_ok(get(&app, "/v1/projects?trashed=true", &c.token).await, 200).await;
    let item = &trash["items"][0];
    assert_eq!(item["id"], id.as_str());
    assert!(item["deleted_at"].is_string() && item["purge_at"].is_string());
    // Readable in the trash, but not editable.
    assert_eq!(get(&app, &path, &c.token).await.status(), 200);
    let res = patch(
        &app,
        &path,
        &c.token,
        json!({"base_version": 1, "tree": sphere(2.0)}),
    )
    .await;
    assert_problem(res, 409, "project_in_trash").await;
    // Restore.
    let restored = json_ok(
        post(&app, &format!("{path}/restore"), &c.token, json!({})).await,
        200,
    )
    .await;
    assert!(restored["deleted_at"].is_null());
    assert_eq!(
        patch(
            &app,
            &path,
            &c.token,
            json!({"base_version": 1, "tree": sphere(2.0)})
        )
        .await
        .status(),
        200
    );

    // Delete forever needs the trash first.
    let res = call(
        &app,
        reqwest::Method::DELETE,
        &format!("{path}?permanent=true"),
        Some(&c.token),
        None,
    )
    .await;
    assert_problem(res, 409, "project_not_in_trash").await;
    assert_eq!(delete(&app, &path, &c.token).await.status(), 204);
    let res = call(
        &app,
        reqwest::Method::DELETE,
        &format!("{path}?permanent=true"),
        Some(&c.token),
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_problem(get(&app, &path, &c.token).await, 404, "project_not_found").await;

    // The retention purge drops trashed projects older than the cut-off only.
    let keep_path = format!("/v1/projects/{keep}");
    assert_eq!(delete(&app, &keep_path, &c.token).await.status(), 204);
    let purged = app
        .state
        .store
        .purge_trash(ai_modeler::store::now_ms() - 30 * 86_400_000)
        .await
        .unwrap();
    assert_eq!(purged, 0, "trashed just now: within the 30 days");
    let purged = app
        .state
        .store
        .purge_trash(ai_modeler::store::now_ms() + 1)
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert_problem(
        get(&app, &keep_path, &c.token).await,
        404,
        "project_not_found",
    )
    .await;
    assert_problem(
        get(&app, &format!("{keep_path}/versions/1"), &c.token).await,
        404,
        "project_not_found",
    )
    .await;
}

async fn plan_limits_name_the_limit(db: Db) {
    let app = spawn_app_on(db, admin_config()).await;
    let c = signup(&app, "limited@example.com").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            new_project(&app, &c, &format!("p{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"name": "sixth", "tree": sphere(1.0)}),
    )
    .await;
    let body = assert_problem(res, 403, "project_limit").await;
    assert_eq!(body["limit"], 5);
    assert_eq!(body["plan"], "free");
    assert!(body["detail"].as_str().unwrap().contains("max_projects"));

    // Trashed projects do not count; restoring one past the limit is refused.
    assert_eq!(
        delete(&app, &format!("/v1/projects/{}", ids[0]), &c.token)
            .await
            .status(),
        204
    );
    new_project(&app, &c, "sixth").await;
    let res = post(
        &app,
        &format!("/v1/projects/{}/restore", ids[0]),
        &c.token,
        json!({}),
    )
    .await;
    assert_problem(res, 403, "project_limit").await;

    // Concurrent creates cannot overshoot the limit.
    assert_eq!(
        delete(&app, &format!("/v1/projects/{}", ids[1]), &c.token)
            .await
            .status(),
        204
    );
    assert_eq!(
        delete(&app, &format!("/v1/projects/{}", ids[2]), &c.token)
            .await
            .status(),
        204
    );
    let mut tasks = Vec::new();
    for i in 0..6 {
        let client = app.client.clone();
        let url = app.url("/v1/projects");
        let token = c.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("race {i}"), "tree": {"Sphere": {"radius": 1.0}}}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut created = 0;
    for t in tasks {
        let s = t.await.unwrap();
        assert!(
            s == StatusCode::CREATED || s == StatusCode::FORBIDDEN,
            "{s}"
        );
        created += usize::from(s == StatusCode::CREATED);
    }
    assert_eq!(created, 2);
    let me = json_ok(get(&app, "/v1/me", &c.token).await, 200).await;
    assert_eq!(me["usage"]["projects"], 5);

    // Enterprise: unlimited.
    let res = call(
        &app,
        reqwest::Method::PUT,
        &format!("/v1/admin/users/{}/plan", c.id),
        Some(ADMIN_KEY),
        Some(json!({"plan": "enterprise"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    new_project(&app, &c, "seventh").await;
}

async fn malformed_trees_are_refused_with_engine_errors(db: Db) {
    let config = Config {
        max_tree_nodes: 10,
        ..Config::default()
    };
    let app = spawn_app_on(db, config).await;
    let c = signup(&app, "trees@example.com").await;
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"name": "bad", "tree": {"Sphere": {"radius": -1.0}}}),
    )
    .await;
    let body = assert_problem(res, 422, "invalid_tree").await;
    assert!(body["path"].as_str().unwrap().contains("radius"), "{body}");
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"name": "bad", "tree": {"Blob": {}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let mut big = sphere(1.0);
    for _ in 0..12 {
        big = json!({"Union": {"a": big, "b": sphere(0.5)}});
    }
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"name": "big", "tree": big}),
    )
    .await;
    let status = res.status().as_u16();
    assert!(status == 413 || status == 422, "{status}");
    // A failed save leaves the last good version in place.
    let id = new_project(&app, &c, "good").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = patch(
        &app,
        &format!("/v1/projects/{id}"),
        &c.token,
        json!({"base_version": 1, "tree": {"Sphere": {"radius": "big"}}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let p = json_ok(
        get(&app, &format!("/v1/projects/{id}"), &c.token).await,
        200,
    )
    .await;
    assert_eq!(
        (p["version"].as_i64(), p["tree"].clone()),
        (Some(1), sphere(1.0))
    );
    assert_problem(
        post(&app, "/v1/projects", &c.token, json!({"name": "empty"})).await,
        422,
        "missing_tree",
    )
    .await;
    assert_problem(
        post(&app, "/v1/projects", &c.token, json!({"tree": sphere(1.0)})).await,
        422,
        "invalid_name",
    )
    .await;
}

async fn templates_are_browsable_and_start_projects(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let list = json_ok(app.get("/v1/templates").await, 200).await;
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().any(|t| t["id"] == "starter-sphere"), "{list}");
    assert!(items.iter().all(|t| t.get("tree").is_none()));
    assert!(
        list["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["tag"] == "starter")
    );
    let tagged = json_ok(app.get("/v1/templates?tag=Starter").await, 200).await;
    assert!(
        tagged["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["tags"].as_array().unwrap().contains(&json!("starter")))
    );
    assert!(tagged["count"].as_u64().unwrap() >= 1);
    let none = json_ok(app.get("/v1/templates?tag=no-such-tag").await, 200).await;
    assert_eq!(none["count"], 0);
    let searched = json_ok(app.get("/v1/templates?q=STARTER%20sphere").await, 200).await;
    assert!(
        searched["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "starter-sphere")
    );

    let one = json_ok(app.get("/v1/templates/starter-sphere").await, 200).await;
    assert_eq!(one["name"], "Starter sphere");
    assert!(one["tree"].is_object());
    assert_problem(
        app.get("/v1/templates/nope").await,
        404,
        "template_not_found",
    )
    .await;

    let c = signup(&app, "gallery@example.com").await;
    let p = json_ok(
        post(
            &app,
            "/v1/projects",
            &c.token,
            json!({"template_id": "starter-sphere"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(p["name"], "Starter sphere");
    assert_eq!(p["template_id"], "starter-sphere");
    assert_eq!(p["tree"], one["tree"]);
    let named = json_ok(
        post(
            &app,
            "/v1/projects",
            &c.token,
            json!({"template_id": "starter-sphere", "name": "Mine"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(named["name"], "Mine");
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"template_id": "nope"}),
    )
    .await;
    assert_problem(res, 404, "template_not_found").await;
    let res = post(
        &app,
        "/v1/projects",
        &c.token,
        json!({"template_id": "starter-sphere", "tree": sphere(1.0)}),
    )
    .await;
    assert_problem(res, 422, "invalid_request").await;

    // A restart upserts: the gallery is the same, not doubled.
    let report = app
        .state
        .store
        .sync_templates(&ai_modeler::server::compute::limits(&Config::default()))
        .await
        .unwrap();
    assert!(report.invalid.is_empty(), "{:?}", report.invalid);
    let again = json_ok(app.get("/v1/templates").await, 200).await;
    assert_eq!(again["count"], list["count"]);
}

async fn every_user_data_route_hides_other_users_data(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let a = signup(&app, "owner@example.com").await;
    let b = signup(&app, "intruder@example.com").await;
    let p = new_project(&app, &a, "Secret").await;
    let id = p["id"].as_str().unwrap().to_string();
    let trashed = new_project(&app, &a, "Trashed secret").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        delete(&app, &format!("/v1/projects/{trashed}"), &a.token)
            .await
            .status(),
        204
    );
    let key_id = json_ok(
        post(&app, "/v1/api-keys", &a.token, json!({"name": "a's key"})).await,
        201,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();

    use reqwest::Method as M;
    let routes: Vec<(M, String, Option<Value>)> = vec![
        (M::GET, format!("/v1/projects/{id}"), None),
        (
            M::PATCH,
            format!("/v1/projects/{id}"),
            Some(json!({"base_version": 1, "tree": sphere(9.0)})),
        ),
        (
            M::PATCH,
            format!("/v1/projects/{id}"),
            Some(json!({"base_version": 1, "name": "pwned"})),
        ),
        (M::DELETE, format!("/v1/projects/{id}"), None),
        (
            M::DELETE,
            format!("/v1/projects/{trashed}?permanent=true"),
            None,
        ),
        (
            M::POST,
            format!("/v1/projects/{id}/restore"),
            Some(json!({})),
        ),
        (
            M::POST,
            format!("/v1/projects/{trashed}/restore"),
            Some(json!({})),
        ),
        (M::GET, format!("/v1/projects/{id}/versions"), None),
        (M::GET, format!("/v1/projects/{id}/versions/1"), None),
        (
            M::POST,
            format!("/v1/projects/{id}/versions/1/restore"),
            Some(json!({})),
        ),
        (M::DELETE, format!("/v1/api-keys/{key_id}"), None),
    ];
    for (method, path, body) in routes {
        let res = call(&app, method.clone(), &path, Some(&b.token), body).await;
        let status = res.status();
        let problem: Value = res.json().await.unwrap();
        assert_eq!(status, 404, "{method} {path} as another user: {problem}");
        // Exactly what a missing id answers: no existence leak.
        assert!(
            problem["code"] == "project_not_found" || problem["code"] == "api_key_not_found",
            "{problem}"
        );
        assert!(!problem.to_string().contains("Secret"));
    }
    // Lists show only one's own.
    for path in ["/v1/projects", "/v1/projects?trashed=true", "/v1/api-keys"] {
        let list = json_ok(get(&app, path, &b.token).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "{path}: {list}");
    }
    // And A's data is untouched.
    let mine = json_ok(
        get(&app, &format!("/v1/projects/{id}"), &a.token).await,
        200,
    )
    .await;
    assert_eq!(
        (
            mine["name"].as_str(),
            mine["version"].as_i64(),
            mine["deleted_at"].is_null()
        ),
        (Some("Secret"), Some(1), true)
    );
    assert_eq!(
        get(&app, &format!("/v1/projects/{trashed}"), &a.token)
            .await
            .status(),
        200
    );
    assert_eq!(
        json_ok(get(&app, "/v1/api-keys", &a.token).await, 200).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Anonymous callers get 401 on every one of them.
    for path in [
        format!("/v1/projects/{id}"),
        "/v1/projects".into(),
        "/v1/api-keys".into(),
        "/v1/me".into(),
    ] {
        assert_problem(app.get(&path).await, 401, "unauthenticated").await;
    }
    let _ = (a.email, b.id, b.email);
}

async fn bad_input_never_gives_500(db: Db) {
    let app = spawn_app_on(db, Config::default()).await;
    let c = signup(&app, "fuzz@example.com").await;
    let id = new_project(&app, &c, "target").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bodies = [
        "",
        "null",
        "[]",
        "{",
        "\"str\"",
        "{\"tree\": 5}",
        "{\"name\": 5, \"tree\": {}}",
        "{\"base_version\": \"1\"}",
        "{\"base_version\": 1e400}",
        "{\"base_version\": -1, \"tree\": {\"Sphere\":{\"radius\":1}}}",
        "{\"email\": null, \"password\": []}",
        "{\"name\": \"\\u0000\", \"tree\": {\"Sphere\":{\"radius\":1}}}",
        "{\"name\": \"ok\", \"message\": \"a\\u0000b\", \"tree\": {\"Sphere\":{\"radius\":1}}}",
        "{\"base_version\": 1, \"message\": \"\\u0000\", \"tree\": {\"Sphere\":{\"radius\":1}}}",
        "{\"email\": \"a\\u0000@b.io\", \"password\": \"\\u0000\\u0000\"}",
        "{\"tree\": {\"version\": \"1\", \"root\": {\"Sphere\":{\"radius\":1}}, \"metadata\": {\"note\": \"\\u0000\"}}, \"name\": \"meta\"}",
    ];
    let paths = [
        (reqwest::Method::POST, "/v1/auth/signup".to_string()),
        (reqwest::Method::POST, "/v1/auth/login".to_string()),
        (reqwest::Method::POST, "/v1/projects".to_string()),
        (reqwest::Method::PATCH, format!("/v1/projects/{id}")),
        (
            reqwest::Method::POST,
            format!("/v1/projects/{id}/versions/1/restore"),
        ),
        (reqwest::Method::POST, "/v1/api-keys".to_string()),
    ];
    for (method, path) in &paths {
        for body in bodies {
            let res = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&c.token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(
                res.status().is_client_error() || res.status().is_success(),
                "{method} {path} {body}: {}",
                res.status()
            );
        }
    }
    for path in [
        "/v1/projects/%00",
        "/v1/projects/x/versions/99999999999999999999",
        "/v1/projects/x/versions/-1",
        "/v1/projects?trashed=maybe",
        "/v1/projects?cursor=",
        "/v1/templates/..%2f..%2fetc",
        "/v1/templates?tag=%27%20OR%201=1--",
        "/v1/templates?tag=%00",
        "/v1/templates?q=%00",
        "/v1/projects?q=%00",
        "/v1/templates/%00",
        "/v1/projects/x/versions/1%00",
    ] {
        let res = get(&app, path, &c.token).await;
        assert!(
            res.status().is_client_error() || res.status().is_success(),
            "{path}: {}",
            res.status()
        );
    }
}
