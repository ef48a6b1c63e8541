//! The README's nginx setup, run for real: nginx on a loopback port serves
//! the built site and passes `/comments/` to `mend comments serve
//! --trust-proxy`, and readers from different loopback addresses are told
//! apart through it.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The ```nginx block of the README, as a writer copies it.
fn readme_nginx() -> String {
    let readme = read(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let start = readme
        .find("```nginx\n")
        .expect("the README has an nginx block")
        + 9;
    let length = readme[start..].find("```").unwrap();
    readme[start..start + length].to_string()
}

/// nginx with the README's server block, changed only where a reader's
/// machine differs: where it listens, the site's folder, mend's port.
fn start_nginx(dir: &Path, public: &Path, mend_port: &str) -> (Killed, String) {
    let port = free_port();
    let block = readme_nginx()
        .replace(
            "server {\n",
            &format!("server {{\n    listen 127.0.0.1:{port};\n"),
        )
        .replace("/srv/blog/public", &public.display().to_string())
        .replace("127.0.0.1:1112", &format!("127.0.0.1:{mend_port}"));
    assert!(block.contains(&format!("127.0.0.1:{mend_port}")), "{block}");
    let temp = dir.join("nginx-temp");
    fs::create_dir_all(&temp).unwrap();
    let config = format!(
        "daemon off;\nuser root;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n access_log off;\n client_body_temp_path {t}/body;\n proxy_temp_path {t}/proxy;\n\
         fastcgi_temp_path {t}/fastcgi;\n uwsgi_temp_path {t}/uwsgi;\n scgi_temp_path {t}/scgi;\n{block}\n}}\n",
        dir = dir.display(),
        t = temp.display(),
    );
    let file = dir.join("nginx.conf");
    fs::write(&file, config).unwrap();
    let child = Command::new("/usr/sbin/nginx")
        .arg("-c")
        .arg(&file)
        .arg("-p")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = format!("127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(&address).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nginx did not start: {}",
            fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (Killed(child), address)
}

#[test]
#[cfg_attr(
    not(has_nginx),
    ignore = "needs /usr/sbin/nginx (apt-get install nginx)"
)]
#[cfg_attr(
    all(has_nginx, not(running_as_root)),
    ignore = "runs nginx as root, as CI does"
)]
fn behind_the_readmes_nginx_each_reader_is_told_apart() {
    let site = fixture("comments");
    let root = site.path();
    let config = root.join("site.toml");
    let text = format!(
        "{}\n[comments]\nendpoint = \"https://blog.example/comments/\"\n",
        read(&config)
    );
    fs::write(config, text).unwrap();
    assert!(
        mend()
            .args(["build", "--root"])
            .arg(root)
            .output()
            .unwrap()
            .status
            .success()
    );
    let port = free_port().to_string();
    let _server = start_server(
        &[
            "comments",
            "serve",
            "--port",
            &port,
            "--trust-proxy",
            "--per-minute",
            "2",
        ],
        root,
        "taking comments at ",
    );
    let nginx_dir = tempfile::tempdir().unwrap();
    let (_nginx, front) = start_nginx(nginx_dir.path(), &root.join("public"), &port);
    // The site itself, from public/.
    let page = "GET / HTTP/1.1\r\nHost: blog.example\r\nConnection: close\r\n\r\n";
    assert_eq!(send_to(&front, "127.0.0.2", page.as_bytes()).status, 200);
    let post = |source: &str, n: usize| {
        let body =
            format!("{{\"article\":\"posts/threads/\",\"author\":\"Ana\",\"body\":\"story {n}\"}}");
        let request = format!(
            "POST /comments/ HTTP/1.1\r\nHost: blog.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        send_to(&front, source, request.as_bytes())
    };
    assert_eq!(post("127.0.0.2", 1).status, 201);
    assert_eq!(post("127.0.0.2", 2).status, 201);
    // The third from one reader is limited; another reader is not.
    assert_eq!(post("127.0.0.2", 3).status, 429);
    assert_eq!(post("127.0.0.3", 4).status, 201);
    let mut addresses: Vec<String> = fs::read_dir(root.join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let table: toml::Table = toml::from_str(&read(&p)).unwrap();
            table["address"].as_str().unwrap().to_string()
        })
        .collect();
    addresses.sort();
    assert_eq!(addresses, ["127.0.0.2", "127.0.0.2", "127.0.0.3"]);
}
