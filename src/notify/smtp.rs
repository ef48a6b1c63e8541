//! Speaking to the mail server of `[notify] smtp`: which one, how (TLS from
//! the start, STARTTLS, or in the clear on this machine only), as whom, and
//! whether a failure is worth trying again.
//!
//! Not for what the mail says (`notify::mails`) nor for when it goes
//! (`notify::outbox`).

use std::path::Path;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, Transport};

use crate::config::NotifyConfig;

/// The environment variable that holds the SMTP password, where
/// `smtp_password_file` is not set.
pub(crate) const PASSWORD_VARIABLE: &str = "MEND_SMTP_PASSWORD";

/// How long one exchange with the mail server may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tls {
    /// `smtps://`: TLS from the first byte (port 465).
    Implicit,
    /// `smtp://`: STARTTLS, required (port 587).
    Starttls,
    /// `smtp://` to this machine (`localhost`, `127.0.0.1`, `::1`): a local
    /// relay, in the clear.
    None,
}

/// The mail server of `[notify] smtp`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Server {
    pub tls: Tls,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
}

impl Server {
    /// Reads `smtp://user@host:port` or `smtps://…`; a sentence saying what
    /// is wrong otherwise.
    pub(crate) fn parse(text: &str) -> Result<Server, String> {
        let example = "such as smtp://me@mail.example.com:587 or smtps://me@mail.example.com:465";
        let url = url::Url::parse(text).map_err(|_| {
            format!("[notify] smtp `{text}` is not an address of a mail server {example}")
        })?;
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(format!("[notify] smtp `{text}` names no host, {example}")),
        };
        if url.password().is_some() {
            return Err(format!(
                "[notify] smtp `{text}` holds a password, which site.toml must not: put it in the {PASSWORD_VARIABLE} environment variable or in a file named by smtp_password_file"
            ));
        }
        let local = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let (tls, default_port) = match url.scheme() {
            "smtps" => (Tls::Implicit, 465),
            "smtp" if local => (Tls::None, 25),
            "smtp" => (Tls::Starttls, 587),
            other => {
                return Err(format!(
                    "[notify] smtp `{text}` starts with `{other}:`, but mend speaks smtp:// (STARTTLS) and smtps:// (TLS), {example}"
                ));
            }
        };
        let user = percent_encoding::percent_decode_str(url.username())
            .decode_utf8_lossy()
            .into_owned();
        Ok(Server {
            tls,
            host,
            port: url.port().unwrap_or(default_port),
            user: (!user.is_empty()).then_some(user),
        })
    }
}

/// Why a mail did not go.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The server is down, busy or said "later": try again later.
    Later(String),
    /// The server refused this mail for good (an address that does not
    /// exist): trying again would only be refused again.
    Never(String),
}

/// A way to send mail through the site's mail server.
pub(crate) struct Mailer {
    transport: SmtpTransport,
    /// Who the mail is from, for the envelope.
    sender: Address,
}

impl Mailer {
    /// The mail server of `config`, with the password from
    /// `smtp_password_file` (relative to `root`) or `MEND_SMTP_PASSWORD`; a
    /// sentence saying what is missing otherwise.
    pub(crate) fn new(config: &NotifyConfig, root: &Path) -> Result<Mailer, String> {
        let server = Server::parse(&config.smtp)?;
        let sender = config
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| format!("[notify] from `{}` is not a mail address", config.from))?
            .email;
        let builder = match server.tls {
            Tls::Implicit => SmtpTransport::relay(&server.host),
            Tls::Starttls => SmtpTransport::starttls_relay(&server.host),
            Tls::None => Ok(SmtpTransport::builder_dangerous(&server.host)),
        }
        .map_err(|e| format!("[notify] smtp: {e}"))?;
        let mut builder = builder.port(server.port).timeout(Some(TIMEOUT));
        if let Some(user) = &server.user {
            let password = password(config, root)?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            sender,
        })
    }

    /// Sends `message` (a whole mail, headers and body) to `to`.
    pub(crate) fn send(&self, to: &str, message: &[u8]) -> Result<(), Failure> {
        let to: Address = to
            .parse()
            .map_err(|_| Failure::Never(format!("`{to}` is not a mail address")))?;
        let envelope = Envelope::new(Some(self.sender.clone()), vec![to])
            .map_err(|e| Failure::Never(e.to_string()))?;
        match self.transport.send_raw(&envelope, message) {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Never(e.to_string())),
            Err(e) => Err(Failure::Later(e.to_string())),
        }
    }
}

/// The SMTP password: the first line of `smtp_password_file`, or the
/// environment's.
fn password(config: &NotifyConfig, root: &Path) -> Result<String, String> {
    match &config.smtp_password_file {
        Some(file) => {
            let path = crate::config::in_site(root, file);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                format!("[notify] smtp_password_file: cannot read {}: {e}", path.display())
            })?;
            Ok(text.lines().next().unwrap_or("").to_string())
        }
        None => std::env::var(PASSWORD_VARIABLE).map_err(|_| {
            format!(
                "[notify] smtp names a user but no password is given: set the {PASSWORD_VARIABLE} environment variable, or smtp_password_file = \"secrets/smtp\" in [notify]"
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_server_is_read_with_its_protection() {
        let server = |text| Server::parse(text).unwrap();
        assert_eq!(
            server("smtp://me%40example.com@mail.example.com"),
            Server {
                tls: Tls::Starttls,
                host: "mail.example.com".into(),
                port: 587,
                user: Some("me@example.com".into()),
            }
        );
        let implicit = server("smtps://mail.example.com");
        assert_eq!(
            (implicit.tls, implicit.port, implicit.user),
            (Tls::Implicit, 465, None)
        );
        let local = server("smtp://127.0.0.1:2525");
        assert_eq!((local.tls, local.port), (Tls::None, 2525));
        assert_eq!(server("smtp://localhost").tls, Tls::None);
        assert_eq!(server("smtp://[::1]:25").tls, Tls::None);
        // In the clear only on this machine.
        assert_eq!(server("smtp://10.0.0.1:25").tls, Tls::Starttls);
    }

    #[test]
    fn a_bad_mail_server_says_what_to_write() {
        assert_eq!(
            Server::parse("smtp://me:secret@mail.example.com").unwrap_err(),
            "[notify] smtp `smtp://me:secret@mail.example.com` holds a password, which site.toml must not: put it in the MEND_SMTP_PASSWORD environment variable or in a file named by smtp_password_file"
        );
        assert_eq!(
            Server::parse("imap://mail.example.com").unwrap_err(),
            "[notify] smtp `imap://mail.example.com` starts with `imap:`, but mend speaks smtp:// (STARTTLS) and smtps:// (TLS), such as smtp://me@mail.example.com:587 or smtps://me@mail.example.com:465"
        );
        assert_eq!(
            Server::parse("mail.example.com").unwrap_err(),
            "[notify] smtp `mail.example.com` is not an address of a mail server such as smtp://me@mail.example.com:587 or smtps://me@mail.example.com:465"
        );
    }
}
