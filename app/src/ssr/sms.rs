//! Sending SMS. The dev outbox stores each message in `sms_outbox`, where demo mode shows them at
//! `/dev/sms`; a provider adapter is the second implementation (to come), chosen by configuration.

use super::{clock, Vault};
use crate::domain::Phone;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsSender {
    /// Messages are stored, not sent: demos and tests read them at `/dev/sms`.
    DevOutbox,
}

impl SmsSender {
    /// Sends (or stores) one message; the phone is stored encrypted with a lookup hash.
    pub async fn send(self, conn: &mut AnyConnection, vault: &Vault, phone: &Phone, template: &str, body: &str) -> Result<(), sqlx::Error> {
        match self {
            SmsSender::DevOutbox => {
                let now = clock::now();
                sqlx::query(
                    "INSERT INTO sms_outbox (phone_enc, phone_hash, template, body, status, created_at, sent_at) \
                     VALUES ($1, $2, $3, $4, 'sent', $5, $5)",
                )
                .bind(vault.encrypt(phone.as_str()))
                .bind(vault.lookup_hash(phone.as_str()))
                .bind(template)
                .bind(body)
                .bind(now)
                .execute(conn)
                .await?;
                Ok(())
            }
        }
    }
}
