//! Sending SMS. Every message is written to `sms_outbox` in the transaction that causes it; the
//! dev outbox stops there (demo mode shows messages at `/dev/sms`), a provider delivers queued
//! messages after the commit, with retries, so a failed send never loses what caused it.

pub mod tencent;

use super::{clock, AppContext, Vault};
use crate::domain::{Money, Phone};
use sqlx::{AnyConnection, Row};
use std::sync::Arc;

/// Deliveries tried per message before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 3;
/// How long a node holds a message it is delivering; a message that failed waits as long before
/// the next round tries it again.
const CLAIM_SECS: i64 = 60;

/// The messages the portal sends; each is one provider template with parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsMessage {
    VerificationCode {
        code: String,
    },
    CaseFiled {
        tracking_no: String,
        department: String,
    },
    CaseReplied {
        tracking_no: String,
        department: String,
    },
    CaseInfoRequested {
        tracking_no: String,
        department: String,
    },
    /// 到账短信: 主管部门 + 补贴名称 + 补贴金额 (and, when failed, a pointer to what to do).
    PaymentResult {
        department: String,
        item: String,
        amount: Money,
        paid: bool,
        /// The line's receipt code (凭证码), opened at `/r/{code}`.
        receipt: String,
    },
    /// To a person's old phone when a reviewed roster changed it: who changed it, and the last
    /// four digits of the new one.
    PhoneChanged {
        department: String,
        new_last4: String,
    },
    /// To the person when a line of theirs was corrected during its publicity (更正): who, which
    /// item, and the change in a few words (e.g. "金额改为800.00元", "核减，本期不予发放").
    PublicityCorrected {
        department: String,
        item: String,
        change: String,
    },
    /// To the person when money paid to them was recovered (追回): who, which item, how much.
    ClawedBack {
        department: String,
        item: String,
        amount: Money,
    },
}

impl SmsMessage {
    /// Every template's name, as [`SmsMessage::template`] gives them: a provider needs an
    /// approved template for each.
    pub const TEMPLATES: [&'static str; 9] = [
        "verification_code",
        "case_filed",
        "case_replied",
        "case_info_requested",
        "payment_paid",
        "payment_failed",
        "phone_changed",
        "publicity_corrected",
        "payment_clawed_back",
    ];

    /// The template's name in configuration (`sms.templates.<name>`).
    pub fn template(&self) -> &'static str {
        match self {
            Self::VerificationCode { .. } => "verification_code",
            Self::CaseFiled { .. } => "case_filed",
            Self::CaseReplied { .. } => "case_replied",
            Self::CaseInfoRequested { .. } => "case_info_requested",
            Self::PaymentResult { paid: true, .. } => "payment_paid",
            Self::PaymentResult { paid: false, .. } => "payment_failed",
            Self::PhoneChanged { .. } => "phone_changed",
            Self::PublicityCorrected { .. } => "publicity_corrected",
            Self::ClawedBack { .. } => "payment_clawed_back",
        }
    }

    /// The template's parameters, in order.
    pub fn params(&self) -> Vec<String> {
        match self {
            Self::VerificationCode { code } => vec![code.clone(), "5".into()],
            Self::CaseFiled { tracking_no, department }
            | Self::CaseReplied { tracking_no, department }
            | Self::CaseInfoRequested { tracking_no, department } => vec![department.clone(), tracking_no.clone()],
            Self::PaymentResult { department, item, amount, receipt, .. } => {
                vec![department.clone(), item.clone(), amount.plain(), receipt.clone()]
            }
            Self::PhoneChanged { department, new_last4 } => vec![department.clone(), new_last4.clone()],
            Self::PublicityCorrected { department, item, change } => {
                vec![department.clone(), item.clone(), change.clone()]
            }
            Self::ClawedBack { department, item, amount } => vec![department.clone(), item.clone(), amount.plain()],
        }
    }

    /// The whole text as the recipient reads it (what the templates say, filled in).
    pub fn body(&self) -> String {
        match self {
            Self::VerificationCode { code } => {
                format!("【惠民惠农补贴】验证码{code}，5分钟内有效，请勿告诉他人。如非本人操作请忽略。")
            }
            Self::CaseFiled { tracking_no, department } => {
                format!("【惠民惠农补贴】您的诉求已提交，受理编号{tracking_no}，由{department}办理。可在门户“查询办理进度”查看。")
            }
            Self::CaseReplied { tracking_no, department } => {
                format!(
                    "【惠民惠农补贴】{department}已答复您的诉求（编号{tracking_no}），请在门户“查询办理进度”查看答复。"
                )
            }
            Self::CaseInfoRequested { tracking_no, department } => {
                format!(
                    "【惠民惠农补贴】{department}请您补充诉求（编号{tracking_no}）的材料，请在门户“查询办理进度”补充。"
                )
            }
            Self::PaymentResult { department, item, amount, paid: true, receipt } => {
                format!(
                    "【惠民惠农补贴】{department}发放的{item}{}元已到账，请查收。凭证码{receipt}，在门户“发放公示”页输入可核对公示。",
                    amount.plain()
                )
            }
            Self::PaymentResult { department, item, amount, paid: false, receipt } => {
                format!(
                    "【惠民惠农补贴】{department}发放的{item}{}元未能到账，请在门户“查询我的补贴”查看原因和办理方法。凭证码{receipt}。",
                    amount.plain()
                )
            }
            Self::PhoneChanged { department, new_last4 } => {
                format!("【惠民惠农补贴】{department}已将您登记的手机号变更为尾号{new_last4}的号码，今后补贴短信和查询验证码发往新号码。如非本人申请，请尽快联系{department}。")
            }
            Self::PublicityCorrected { department, item, change } => {
                format!("【惠民惠农补贴】{department}更正了公示中您的{item}：{change}。更正和理由已在公示页公开。如有异议，请联系{department}。")
            }
            Self::ClawedBack { department, item, amount } => {
                format!(
                    "【惠民惠农补贴】{department}已追回发放给您的{item}{}元，理由可在门户“查询我的补贴”查看。如有异议，请联系{department}。",
                    amount.plain()
                )
            }
        }
    }
}

/// A message of the outbox as the demo's outbox page shows it (the phone masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub created_at: String,
    pub phone_masked: String,
    pub body: String,
}

/// The newest `n` messages of the outbox.
pub async fn latest(db: &crate::ssr::Db, vault: &Vault, n: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let rows = sqlx::query("SELECT phone_enc, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT $1")
        .bind(n)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let phone = vault.decrypt(&r.get::<Vec<u8>, _>("phone_enc")).ok().and_then(|p| Phone::parse(&p).ok());
            OutboxMessage {
                created_at: r.get("created_at"),
                phone_masked: phone.map(|p| crate::domain::mask::phone(&p)).unwrap_or_default(),
                body: r.get("body"),
            }
        })
        .collect())
}

/// Where messages go, chosen by configuration.
#[derive(Clone)]
pub enum SmsSender {
    /// Messages are stored, not sent: demos and tests read them at `/dev/sms`.
    DevOutbox,
    /// Tencent Cloud SMS (API 3.0, `SendSms`).
    Tencent(Arc<tencent::Tencent>),
}

impl std::fmt::Debug for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SmsSender::DevOutbox => "DevOutbox",
            SmsSender::Tencent(_) => "Tencent",
        })
    }
}

impl SmsSender {
    /// Writes one message to the outbox in the caller's transaction; the phone is stored
    /// encrypted with a lookup hash. With a real provider a code is kept only in the parameters
    /// until it is delivered (the stored text shows it as ******), so staff cannot read codes.
    pub async fn queue(
        &self,
        conn: &mut AnyConnection,
        vault: &Vault,
        phone: &Phone,
        message: &SmsMessage,
    ) -> Result<(), sqlx::Error> {
        let now = clock::now();
        let (status, sent_at, body) = match (self, message) {
            (SmsSender::DevOutbox, _) => ("sent", Some(now.clone()), message.body()),
            (SmsSender::Tencent(_), SmsMessage::VerificationCode { code }) => {
                ("queued", None, message.body().replace(code.as_str(), "******"))
            }
            (SmsSender::Tencent(_), _) => ("queued", None, message.body()),
        };
        let params = serde_json::to_string(&message.params()).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO sms_outbox (phone_enc, phone_hash, template, body, params, status, created_at, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(vault.encrypt(phone.as_str()))
        .bind(vault.lookup_hash(phone.as_str()))
        .bind(message.template())
        .bind(body)
        .bind(params)
        .bind(status)
        .bind(now)
        .bind(sent_at)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Starts delivering queued messages in the background (after the caller's commit).
    pub fn deliver_soon(&self, cx: &AppContext) {
        if matches!(self, SmsSender::Tencent(_)) {
            let cx = cx.clone();
            tokio::spawn(async move {
                if let Err(e) = cx.sms.deliver_queued(&cx).await {
                    tracing::warn!(error = %e, "sms delivery");
                }
            });
        }
    }

    /// Delivers queued messages through the provider; returns how many were sent. Each message is
    /// claimed first, so two nodes never send the same one.
    pub async fn deliver_queued(&self, cx: &AppContext) -> Result<usize, sqlx::Error> {
        let SmsSender::Tencent(provider) = self else { return Ok(0) };
        let now = clock::now();
        let rows = sqlx::query(
            "SELECT id, phone_enc, template, params, attempts FROM sms_outbox \
             WHERE status = 'queued' AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT 100",
        )
        .bind(&now)
        .fetch_all(&cx.db.pool)
        .await?;
        let mut sent = 0;
        for r in rows {
            let (id, attempts): (i64, i64) = (r.get("id"), r.get("attempts"));
            let claimed = sqlx::query(
                "UPDATE sms_outbox SET attempts = attempts + 1, claimed_until = $1 \
                 WHERE id = $2 AND status = 'queued' AND (claimed_until IS NULL OR claimed_until < $3)",
            )
            .bind(clock::from_now(CLAIM_SECS))
            .bind(id)
            .bind(clock::now())
            .execute(&cx.db.pool)
            .await?;
            if claimed.rows_affected() != 1 {
                continue;
            }
            let phone = cx.vault.decrypt(&r.get::<Vec<u8>, _>("phone_enc")).ok().and_then(|p| Phone::parse(&p).ok());
            let params: Vec<String> = serde_json::from_str(&r.get::<String, _>("params")).unwrap_or_default();
            let result = match phone {
                Some(phone) => provider.send(&phone, &r.get::<String, _>("template"), &params).await,
                None => Err(tencent::SmsError::Rejected("stored phone unreadable".into())),
            };
            let (status, error) = match result {
                Ok(()) => ("sent", None),
                Err(e) => {
                    // Logged by outbox id only: never the phone number.
                    tracing::warn!(outbox_id = id, error = %e, "sms not delivered");
                    let last = attempts + 1 >= MAX_ATTEMPTS || !e.retryable();
                    (if last { "failed" } else { "queued" }, Some(e.to_string()))
                }
            };
            sent += usize::from(status == "sent");
            // Once delivered or given up, a code is no longer kept anywhere.
            let template: String = r.get("template");
            let params =
                if status != "queued" && template == "verification_code" { "[]".to_string() } else { r.get("params") };
            sqlx::query("UPDATE sms_outbox SET status = $1, error = $2, sent_at = $3, params = $4 WHERE id = $5")
                .bind(status)
                .bind(error)
                .bind((status == "sent").then(clock::now))
                .bind(params)
                .bind(id)
                .execute(&cx.db.pool)
                .await?;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_messages_carry_department_item_amount_and_receipt() {
        let m = SmsMessage::PaymentResult {
            department: "县民政局".into(),
            item: "城乡低保".into(),
            amount: Money::from_fen(56_000),
            paid: true,
            receipt: "2223X-AB7K".into(),
        };
        assert_eq!(m.params(), vec!["县民政局", "城乡低保", "560.00", "2223X-AB7K"]);
        let body = m.body();
        assert!(body.contains("县民政局") && body.contains("城乡低保") && body.contains("560.00"));
        assert!(body.contains("凭证码2223X-AB7K") && body.contains("发放公示"), "{body}");
        let code = SmsMessage::VerificationCode { code: "123456".into() };
        assert_eq!(code.template(), "verification_code");
        assert!(code.body().contains("123456"));
    }

    #[test]
    fn every_message_has_a_template_of_the_list() {
        let (s, m) = (|t: &str| t.to_string(), Money::from_fen(100));
        let all = [
            SmsMessage::VerificationCode { code: s("1") },
            SmsMessage::CaseFiled { tracking_no: s("1"), department: s("d") },
            SmsMessage::CaseReplied { tracking_no: s("1"), department: s("d") },
            SmsMessage::CaseInfoRequested { tracking_no: s("1"), department: s("d") },
            SmsMessage::PaymentResult { department: s("d"), item: s("i"), amount: m, paid: true, receipt: s("r") },
            SmsMessage::PaymentResult { department: s("d"), item: s("i"), amount: m, paid: false, receipt: s("r") },
            SmsMessage::PhoneChanged { department: s("d"), new_last4: s("1234") },
            SmsMessage::PublicityCorrected { department: s("d"), item: s("i"), change: s("c") },
            SmsMessage::ClawedBack { department: s("d"), item: s("i"), amount: m },
        ];
        let names: Vec<&str> = all.iter().map(SmsMessage::template).collect();
        assert_eq!(names, SmsMessage::TEMPLATES);
        for message in &all {
            assert!(message.body().starts_with("【惠民惠农补贴】") && !message.params().is_empty());
        }
    }
}
