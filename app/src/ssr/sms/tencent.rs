//! Tencent Cloud SMS (API 3.0 `SendSms`, version 2021-01-11) with TC3-HMAC-SHA256 signing.
//! Templates are approved at the provider; configuration maps each message to a template id.

use crate::domain::Phone;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
const VERSION: &str = "2021-01-11";
/// Tries of one request on a transport error or a server error, with a pause between.
const TRIES: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentConfig {
    pub endpoint: String,
    pub region: String,
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    /// Message name (see `SmsMessage::template`) → the provider's template id.
    pub templates: BTreeMap<String, String>,
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("no template id configured for {0}")]
    NoTemplate(String),
    #[error("provider unreachable: {0}")]
    Transport(String),
    #[error("provider error {0}")]
    Provider(String),
    #[error("message rejected: {0}")]
    Rejected(String),
}

impl SmsError {
    /// Whether trying again later could help.
    pub fn retryable(&self) -> bool {
        matches!(self, SmsError::Transport(_) | SmsError::Provider(_))
    }
}

pub struct Tencent {
    config: TencentConfig,
    client: reqwest::Client,
    host: String,
}

fn hex_sha256(data: &[u8]) -> String {
    super::super::vault::encode_hex(&Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header for a JSON POST of `payload` to `host` at `timestamp` (TC3-HMAC-SHA256).
pub fn authorization(secret_id: &str, secret_key: &str, host: &str, timestamp: i64, payload: &str) -> String {
    let date = crate::ssr::clock::timestamp(timestamp)[..10].to_string();
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\ncontent-type;host\n{}",
        hex_sha256(payload.as_bytes())
    );
    let scope = format!("{date}/sms/tc3_request");
    let to_sign = format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}", hex_sha256(canonical.as_bytes()));
    let k_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), &date);
    let k_service = hmac_sha256(&k_date, "sms");
    let k_signing = hmac_sha256(&k_service, "tc3_request");
    let signature = super::super::vault::encode_hex(&hmac_sha256(&k_signing, &to_sign));
    format!("TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}")
}

impl Tencent {
    pub fn new(config: TencentConfig) -> Result<Self, SmsError> {
        let host = config
            .endpoint
            .split("://")
            .nth(1)
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| SmsError::Rejected(format!("endpoint is not a URL: {}", config.endpoint)))?;
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| SmsError::Transport(e.to_string()))?;
        Ok(Tencent { config, client, host })
    }

    /// Sends one templated message to one phone.
    pub async fn send(&self, phone: &Phone, template: &str, params: &[String]) -> Result<(), SmsError> {
        let template_id = self.config.templates.get(template).ok_or_else(|| SmsError::NoTemplate(template.into()))?;
        let payload = serde_json::json!({
            "PhoneNumberSet": [format!("+86{}", phone.as_str())],
            "SmsSdkAppId": self.config.sdk_app_id,
            "SignName": self.config.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": params,
        })
        .to_string();
        let mut last = SmsError::Transport("not tried".into());
        for attempt in 0..TRIES {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
            }
            match self.post(&payload).await {
                Ok(()) => return Ok(()),
                Err(e) if e.retryable() => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    async fn post(&self, payload: &str) -> Result<(), SmsError> {
        let timestamp = crate::ssr::clock::unix_seconds();
        let response = self
            .client
            .post(&self.config.endpoint)
            .header(
                "Authorization",
                authorization(&self.config.secret_id, &self.config.secret_key, &self.host, timestamp, payload),
            )
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Host", &self.host)
            .header("X-TC-Action", "SendSms")
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.config.region)
            .body(payload.to_string())
            .send()
            .await
            .map_err(|e| SmsError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(SmsError::Provider(format!("HTTP {status}")));
        }
        let body: serde_json::Value =
            response.json().await.map_err(|e| SmsError::Provider(format!("HTTP {status}, unreadable answer: {e}")))?;
        let answer = &body["Response"];
        if let Some(error) = answer.get("Error") {
            let code = error["Code"].as_str().unwrap_or("Unknown");
            // Throttling and internal errors may pass; the rest (bad signature, template, number) will not.
            let message = format!("{code}: {}", error["Message"].as_str().unwrap_or(""));
            return Err(if code.starts_with("RequestLimitExceeded") || code.starts_with("InternalError") {
                SmsError::Provider(message)
            } else {
                SmsError::Rejected(message)
            });
        }
        match answer["SendStatusSet"].get(0) {
            Some(s) if s["Code"].as_str() == Some("Ok") => Ok(()),
            Some(s) => Err(SmsError::Rejected(format!(
                "{}: {}",
                s["Code"].as_str().unwrap_or("?"),
                s["Message"].as_str().unwrap_or("")
            ))),
            None => Err(SmsError::Provider("answer without SendStatusSet".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_depends_on_every_signed_part() {
        let base = authorization("AKID", "key", "sms.tencentcloudapi.com", 1_767_225_600, "{}");
        assert!(base.starts_with(
            "TC3-HMAC-SHA256 Credential=AKID/2026-01-01/sms/tc3_request, SignedHeaders=content-type;host, Signature="
        ));
        assert_eq!(base.rsplit('=').next().map(str::len), Some(64));
        for other in [
            authorization("AKID", "key2", "sms.tencentcloudapi.com", 1_767_225_600, "{}"),
            authorization("AKID", "key", "other.host", 1_767_225_600, "{}"),
            authorization("AKID", "key", "sms.tencentcloudapi.com", 1_767_225_601, "{}"),
            authorization("AKID", "key", "sms.tencentcloudapi.com", 1_767_225_600, "{ }"),
        ] {
            assert_ne!(other, base);
        }
    }
}
