//! The shop as a merchant runs it: the real binary, stopped with SIGTERM while payments arrive,
//! backed up while it serves, its admin's password changed from the command line, its memory
//! after many logins.

mod support;

use reqwest::StatusCode;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::paysera::{fields, new_order, password, signed, PROJECT};

const OWNER: &str = "owner@example.lt";
const OWNER_PASSWORD: &str = "correct horse battery staple";

/// A shop process on a free port, live project 310840 with the test certificate, configured by a
/// `.env` file in its working directory (as a merchant would).
struct Process {
    child: Child,
    base: String,
    dir: tempfile::TempDir,
}

fn write_env(dir: &Path, port: u16) {
    std::fs::write(
        dir.join("paysera.pem"),
        include_str!("data/paysera-test-certificate.pem"),
    )
    .unwrap();
    let env = format!(
        "TURGUS_DATABASE_URL={db}\nTURGUS_ADDR=127.0.0.1:{port}\nTURGUS_DATA_DIR={data}\n\
         TURGUS_PAYSERA_PROJECT_ID={PROJECT}\nTURGUS_PAYSERA_PASSWORD={password}\n\
         TURGUS_PAYSERA_PUBLIC_KEY_FILE={key}\nTURGUS_DRAIN_SECONDS=10\nRUST_LOG=warn\n",
        db = support::database_url(dir),
        data = dir.display(),
        password = password(),
        key = dir.join("paysera.pem").display(),
    );
    std::fs::write(dir.join(".env"), env).unwrap();
}

fn turgus(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_turgus"));
    command.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("TURGUS_") {
            command.env_remove(name);
        }
    }
    command
}

impl Process {
    async fn start() -> Process {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        write_env(dir.path(), port);
        let child = turgus(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let process = Process {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        assert!(
            support::until_ready(&process.base).await,
            "the shop did not start"
        );
        process
    }

    async fn db(&self) -> turgus::db::Db {
        turgus::db::connect(&support::database_url(self.dir.path()))
            .await
            .unwrap()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (up to 30 s) for the process to exit.
    async fn exit(&mut self) -> std::process::ExitStatus {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the shop did not stop");
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sigterm_lets_callbacks_in_flight_commit_and_every_ok_is_paid() {
    let mut shop = Process::start().await;
    let db = shop.db().await;
    let mut orders = vec![];
    for _ in 0..20 {
        let id = support::variant_id(&db, "brass-pen").await;
        let placed = turgus::domain::flows::place_order::place(
            &db,
            &new_order(id, "1"),
            turgus::money::Currency::Eur,
        )
        .await
        .unwrap();
        orders.push(placed);
    }
    let client = reqwest::Client::new();
    let (answered, mut first_answer) = tokio::sync::mpsc::unbounded_channel();
    let calls: Vec<_> = orders
        .iter()
        .map(|order| {
            let url = format!(
                "{}/paysera/callback?{}",
                shop.base,
                signed(&fields(order, &[]))
            );
            let (client, answered) = (client.clone(), answered.clone());
            tokio::spawn(async move {
                let result = match client.get(url).send().await {
                    Ok(response) => Some((response.status(), response.text().await.ok())),
                    Err(_) => None,
                };
                let _ = answered.send(());
                result
            })
        })
        .collect();
    // SIGTERM as soon as the first callback is answered: the others are in flight.
    first_answer.recv().await;
    shop.signal("TERM");
    let mut answered_ok = vec![];
    for (order, call) in orders.iter().zip(calls) {
        if let Some((StatusCode::OK, Some(body))) = call.await.unwrap() {
            if body == "OK" {
                answered_ok.push(order.id);
            }
        }
    }
    assert!(!answered_ok.is_empty());
    let exit = shop.exit().await;
    assert!(exit.success(), "a clean exit: {exit:?}");
    for id in &answered_ok {
        let status: String = turgus::on_db!(&db, conn => sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await)
            .unwrap();
        assert_eq!(status, "paid", "order {id} was answered OK");
    }
    println!(
        "{} of 20 callbacks answered OK before the shop stopped",
        answered_ok.len()
    );
}

async fn log_in(client: &reqwest::Client, base: &str) -> StatusCode {
    client
        .post(format!("{base}/api/admin/login"))
        .header("accept", "application/json")
        .form(&[
            ("email", OWNER),
            ("password", OWNER_PASSWORD),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

fn admin(dir: &Path, command: &str, password: &str) -> std::process::Output {
    let mut child = turgus(dir)
        .args(["admin", command, "--email", OWNER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn memory_stays_bounded_after_a_hundred_logins() {
    let shop = Process::start().await;
    assert!(admin(shop.dir.path(), "create", OWNER_PASSWORD)
        .status
        .success());
    // The first logins size the allocator's pools (an Argon2 hash takes 19 MiB); the rest must
    // not add to them. The whole stays small: the debug build's code and data are most of it (and
    // grew past 64 MiB with the admin's translations and the command line's parser, past 72 MiB
    // with the invoices' PDF writer).
    for _ in 0..10 {
        assert_eq!(
            log_in(&support::shopper(), &shop.base).await,
            StatusCode::OK
        );
    }
    let warm = shop.rss_kib();
    for _ in 0..90 {
        assert_eq!(
            log_in(&support::shopper(), &shop.base).await,
            StatusCode::OK
        );
    }
    let rss = shop.rss_kib();
    println!("RSS after 10 logins: {warm} KiB, after 100: {rss} KiB");
    assert!(rss < warm + 8 * 1024, "grew from {warm} to {rss} KiB");
    assert!(rss < 80 * 1024, "RSS after 100 logins: {rss} KiB");
}

#[tokio::test]
async fn a_new_password_from_the_command_line_ends_the_admins_sessions() {
    let shop = Process::start().await;
    // The commands read .env like the server: the account lands in the shop's database.
    let created = admin(shop.dir.path(), "create", OWNER_PASSWORD);
    assert!(created.status.success(), "{created:?}");
    let browser = support::shopper();
    assert_eq!(log_in(&browser, &shop.base).await, StatusCode::OK);
    let admin_home = || async {
        browser
            .post(format!("{}/api/admin/home", shop.base))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(admin_home().await, StatusCode::OK);
    let changed = admin(shop.dir.path(), "password", "another long passphrase");
    assert!(changed.status.success(), "{changed:?}");
    assert_eq!(admin_home().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        log_in(&support::shopper(), &shop.base).await,
        StatusCode::UNAUTHORIZED
    );
    let unknown = turgus(shop.dir.path())
        .args(["admin", "password", "--email", "nobody@example.lt"])
        .stdin(Stdio::piped())
        .output()
        .unwrap();
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_and_a_running_shop_is_not_overwritten() {
    if support::on_postgres() {
        // SQLite's own backup; PostgreSQL's is pg_dump (docs/deploy.md), and the command says so
        // (tested in startup.rs).
        return;
    }
    let shop = Process::start().await;
    let db = shop.db().await;
    let id = support::variant_id(&db, "brass-pen").await;
    turgus::domain::flows::place_order::place(
        &db,
        &new_order(id, "1"),
        turgus::money::Currency::Eur,
    )
    .await
    .unwrap();
    std::fs::create_dir_all(shop.dir.path().join("media/products")).unwrap();
    std::fs::write(shop.dir.path().join("media/products/a.jpg"), b"photo").unwrap();
    let target = shop.dir.path().join("backup-1");
    let backup = turgus(shop.dir.path())
        .args(["backup", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(backup.status.success(), "{backup:?}");
    assert_eq!(
        std::fs::read(target.join("media/products/a.jpg")).unwrap(),
        b"photo"
    );

    let refused = turgus(shop.dir.path())
        .args(["restore", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("running"));

    // Stopped, the shop's data can be replaced by the backup.
    turgus::on_db!(&db, conn => sqlx::query("DELETE FROM order_lines")
        .execute(conn)
        .await.map(|done| done.rows_affected()))
    .unwrap();
    db.close().await;
    let mut shop = shop;
    shop.signal("TERM");
    assert!(shop.exit().await.success());
    let dir = shop.dir.path().to_owned();
    let restored = turgus(&dir)
        .args(["restore", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(restored.status.success(), "{restored:?}");
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("shop.db").display()))
        .await
        .unwrap();
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_lines")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(lines, 1, "the order's line is back");
}

/// The mode bits of `path`, without the file type.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// With the usual umask (022) the database, its WAL (session ids, password hashes, customers'
/// details) and backups were readable by every local user. Each is the shop's user's alone.
#[tokio::test]
async fn the_data_and_backups_are_readable_by_the_shops_user_alone() {
    if support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = support::smtp::free_port();
    let data = dir.path().join("data");
    std::fs::write(
        dir.path().join(".env"),
        format!(
            "TURGUS_DATABASE_URL=sqlite://{db}\nTURGUS_ADDR=127.0.0.1:{port}\nTURGUS_DATA_DIR={data}\n\
             TURGUS_SANDBOX=1\nRUST_LOG=warn\n",
            db = data.join("turgus.db").display(),
            data = data.display(),
        ),
    )
    .unwrap();
    // As a merchant's shell would start it, with a umask that lets everyone read.
    let in_shell = |arguments: &[&str]| {
        let mut shell = Command::new("sh");
        shell
            .current_dir(dir.path())
            .args([
                "-c",
                "umask 022 && exec \"$0\" \"$@\"",
                env!("CARGO_BIN_EXE_turgus"),
            ])
            .args(arguments);
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TURGUS_")) {
            shell.env_remove(name);
        }
        shell
    };
    let mut child = in_shell(&[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    assert!(support::until_ready(&base).await, "the shop did not start");
    assert_eq!(
        reqwest::get(format!("{base}/en")).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(mode(&data), 0o700, "the data folder");
    for file in [
        "turgus.db",
        "turgus.db-wal",
        "turgus.db-shm",
        "turgus.db.lock",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    std::fs::create_dir_all(data.join("media/products")).unwrap();
    std::fs::write(data.join("media/products/a.jpg"), b"photo").unwrap();
    let target = dir.path().join("backup");
    let backup = in_shell(&["backup", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(backup.status.success(), "{backup:?}");
    assert_eq!(mode(&target), 0o700, "the backup folder");
    assert_eq!(mode(&target.join("turgus.db")), 0o600);
    assert_eq!(mode(&target.join("media/products")), 0o700);
    assert_eq!(mode(&target.join("media/products/a.jpg")), 0o600);
    let _ = child.kill();
    let _ = child.wait();
}
