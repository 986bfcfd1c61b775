//! A small SMTP server for the tests: a real SMTP conversation over TCP on localhost (greeting,
//! EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT), which keeps what it receives.
//! It can be told to refuse recipients permanently (550), as a mailbox that does not exist.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as the sink received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and body, CRLF line ends).
    pub data: String,
}

impl Received {
    /// A header's raw value (first occurrence), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_lowercase());
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded
            .split("\r\n")
            .find(|line| line.to_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }

    /// The message with quoted-printable soft breaks and `=XX` escapes undone, to look for text.
    pub fn decoded(&self) -> String {
        let joined = self.data.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
                (b'=', Some(&a), Some(&b)) if hex(a).is_some() && hex(b).is_some() => {
                    out.push((hex(a).unwrap() * 16 + hex(b).unwrap()) as u8);
                    i += 3;
                }
                (byte, _, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// `550 5.1.1` to every RCPT: a permanent refusal.
    RefuseRecipients,
}

pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start(behaviour: Behaviour) -> SmtpSink {
        SmtpSink::start_on(0, behaviour).await
    }

    /// Listens on `port` (0: any free one).
    pub async fn start_on(port: u16, behaviour: Behaviour) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, behaviour, kept.clone()));
            }
        });
        SmtpSink {
            port,
            received,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages arrived (at most `seconds`), then returns them all.
    pub async fn wait_for(&self, count: usize, seconds: u64) -> Vec<Received> {
        for _ in 0..seconds * 20 {
            if self.messages().len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `<ona@example.lt>` from `RCPT TO:<ona@example.lt>` (or `MAIL FROM:…`).
fn argument(command: &str) -> String {
    command
        .split_once(':')
        .map_or("", |(_, argument)| argument)
        .trim()
        .to_owned()
}

async fn converse(stream: TcpStream, behaviour: Behaviour, kept: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 sink.test ESMTP ready\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".into(),
            "HELO" => "250 sink.test\r\n".into(),
            "MAIL" => {
                from = argument(&command);
                to.clear();
                "250 2.1.0 OK\r\n".into()
            }
            "RCPT" if behaviour == Behaviour::RefuseRecipients => {
                "550 5.1.1 No such mailbox here\r\n".into()
            }
            "RCPT" => {
                to.push(argument(&command));
                "250 2.1.5 OK\r\n".into()
            }
            "DATA" => {
                let _ = write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                kept.lock().unwrap().push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                "250 2.0.0 Queued\r\n".into()
            }
            "RSET" => {
                (from, to) = (String::new(), Vec::new());
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 Command not recognised\r\n".into(),
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
