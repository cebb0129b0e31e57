//! CDS Hooks telemetry: the cards the service issued, what clinicians did
//! with them, and the override rate of each rule, which tells the team which
//! alerts are noise.

use serde::Serialize;
use sqlx::Row;

use crate::audit::Actor;
use crate::error::{StoreError, StoreResult};
use crate::{Store, clock, group, text};

/// The CDS Hooks call the cards answer, as the EHR identified it.
#[derive(Debug, Clone)]
pub struct HookCall<'a> {
    pub hook_instance: &'a str,
    pub user_id: &'a str,
    pub patient_id: &'a str,
    pub encounter_id: Option<&'a str>,
}

/// One card as issued.
#[derive(Debug, Clone)]
pub struct IssuedCard<'a> {
    pub uuid: &'a str,
    pub rule_key: &'a str,
    pub indicator: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Overridden,
}

/// One feedback entry, parsed by the api.
#[derive(Debug, Clone)]
pub struct Feedback<'a> {
    pub card_uuid: &'a str,
    pub outcome: Outcome,
    pub override_code: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub outcome_at: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlertStat {
    pub rule_key: String,
    pub issued: i64,
    pub accepted: i64,
    pub overridden: i64,
    /// Overridden over answered; `None` before any answer.
    pub override_rate: Option<f64>,
}

impl Store {
    /// Cards are recorded as issued; the same card issued again (a retried
    /// hook call) is recorded once. The call itself is audited: it carried
    /// patient data, though none of it is kept.
    pub async fn record_cards(
        &self,
        call: &HookCall<'_>,
        cards: &[IssuedCard<'_>],
        actor: &Actor,
    ) -> StoreResult<()> {
        let details = serde_json::json!({
            "hook_instance": call.hook_instance,
            "ehr_user": call.user_id,
            "encounter": call.encounter_id,
            "cards": cards.iter().map(|c| c.uuid).collect::<Vec<_>>(),
        });
        // EHRs call on every order they sign: the group commit lets
        // concurrent calls share a transaction.
        self.group
            .commit(group::Entry {
                actor: actor.clone(),
                action: "cds.order_sign",
                entity: "ehr-patient",
                entity_id: call.patient_id.to_string(),
                details,
                cards: cards
                    .iter()
                    .map(|c| group::Card {
                        uuid: c.uuid.to_string(),
                        rule_key: c.rule_key.to_string(),
                        indicator: c.indicator.to_string(),
                    })
                    .collect(),
            })
            .await
    }

    /// Records a client JWT's `jti` until `expires_at` (Unix seconds);
    /// false when the issuer has used it before, a replay. Ids of tokens
    /// that expired before `forget_before` are swept as new ones come in.
    pub async fn first_use_of_token(
        &self,
        issuer: &str,
        jti: &str,
        expires_at: i64,
        forget_before: i64,
    ) -> StoreResult<bool> {
        let issuer = text::required("issuer", issuer, 500)?;
        let jti = text::required("jti", jti, 500)?;
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM cds_token_ids WHERE expires_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO cds_token_ids (issuer, jti, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (issuer, jti) DO NOTHING",
        )
        .bind(issuer)
        .bind(jti)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(inserted.rows_affected() == 1)
    }

    pub async fn record_feedback(&self, entries: &[Feedback<'_>]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for entry in entries {
            let known = sqlx::query("SELECT uuid FROM cds_cards WHERE uuid = $1")
                .bind(entry.card_uuid)
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(StoreError::invalid(
                    "card",
                    format!("{} was not issued by this service", entry.card_uuid),
                ));
            }
            sqlx::query(
                "INSERT INTO cds_feedback (card_uuid, outcome, override_code, user_comment, outcome_at, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(entry.card_uuid)
            .bind(match entry.outcome {
                Outcome::Accepted => "accepted",
                Outcome::Overridden => "overridden",
            })
            .bind(text::optional("override code", entry.override_code, 200)?)
            .bind(text::optional("comment", entry.comment, 2000)?)
            .bind(text::required("outcome time", entry.outcome_at, 64)?)
            .bind(clock::now())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Per rule: cards issued, accepted and overridden, most overridden first.
    pub async fn alert_stats(&self) -> StoreResult<Vec<AlertStat>> {
        let rows = sqlx::query(
            "SELECT c.rule_key, COUNT(DISTINCT c.uuid) AS issued, \
             COUNT(CASE WHEN f.outcome = 'accepted' THEN 1 END) AS accepted, \
             COUNT(CASE WHEN f.outcome = 'overridden' THEN 1 END) AS overridden \
             FROM cds_cards c LEFT JOIN cds_feedback f ON f.card_uuid = c.uuid \
             GROUP BY c.rule_key ORDER BY overridden DESC, c.rule_key",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let accepted: i64 = r.try_get("accepted")?;
                let overridden: i64 = r.try_get("overridden")?;
                let answered = accepted + overridden;
                Ok(AlertStat {
                    rule_key: r.try_get("rule_key")?,
                    issued: r.try_get("issued")?,
                    accepted,
                    overridden,
                    override_rate: (answered > 0).then(|| overridden as f64 / answered as f64),
                })
            })
            .collect()
    }
}
