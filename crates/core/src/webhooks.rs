//! Webhooks in the Standard Webhooks format (contract, Part 2): the event types a shop can subscribe to,
//! the bodies of the endpoint and delivery endpoints, and the payload every delivery carries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What happened. Serialized as the contract spells it, e.g. `points.changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// `{customer_id}`: a customer's first appearance in the program.
    #[serde(rename = "customer.enrolled")]
    CustomerEnrolled,
    /// `{customer_id, entry_id, kind, points, balance}`: every ledger entry.
    #[serde(rename = "points.changed")]
    PointsChanged,
    /// `{customer_id, from, to}`: tier ids or null.
    #[serde(rename = "tier.changed")]
    TierChanged,
    /// `{customer_id, redemption}`.
    #[serde(rename = "reward.redeemed")]
    RewardRedeemed,
    /// `{code}`: the code object of `GET …/codes/{code}`.
    #[serde(rename = "code.used")]
    CodeUsed,
    /// `{code}`.
    #[serde(rename = "code.cancelled")]
    CodeCancelled,
    /// `{advocate_id, friend_id, order_id}`.
    #[serde(rename = "referral.completed")]
    ReferralCompleted,
    /// `{customer_id, points, expires_at}`: once per lot, seven days before it expires.
    #[serde(rename = "points.expiring")]
    PointsExpiring,
    /// `{customer_id, tier_id, expires_at}`.
    #[serde(rename = "membership.started")]
    MembershipStarted,
    /// `{customer_id, tier_id, expires_at}`.
    #[serde(rename = "membership.ended")]
    MembershipEnded,
    /// `{customer_id, score}`.
    #[serde(rename = "feedback.received")]
    FeedbackReceived,
    /// Tally's extension: `POST …/webhooks/{id}/test` sends one to that endpoint only.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// Every type, in the contract's order (the test event last).
    pub const ALL: [EventType; 12] = [
        EventType::CustomerEnrolled,
        EventType::PointsChanged,
        EventType::TierChanged,
        EventType::RewardRedeemed,
        EventType::CodeUsed,
        EventType::CodeCancelled,
        EventType::ReferralCompleted,
        EventType::PointsExpiring,
        EventType::MembershipStarted,
        EventType::MembershipEnded,
        EventType::FeedbackReceived,
        EventType::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CustomerEnrolled => "customer.enrolled",
            EventType::PointsChanged => "points.changed",
            EventType::TierChanged => "tier.changed",
            EventType::RewardRedeemed => "reward.redeemed",
            EventType::CodeUsed => "code.used",
            EventType::CodeCancelled => "code.cancelled",
            EventType::ReferralCompleted => "referral.completed",
            EventType::PointsExpiring => "points.expiring",
            EventType::MembershipStarted => "membership.started",
            EventType::MembershipEnded => "membership.ended",
            EventType::FeedbackReceived => "feedback.received",
            EventType::WebhookTest => "webhook.test",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not an event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEventType(pub String);

impl fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown event type {:?}", self.0)
    }
}

impl std::error::Error for UnknownEventType {}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }
}

/// What an endpoint subscribes to: every type.
pub const ALL_EVENTS: &str = "*";

/// Body of `POST …/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointCreate {
    /// `https://…` (`http://` too on a server run with `--allow-private-webhooks`), at most 2048
    /// characters once white space around it is trimmed, resolving to public addresses only.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub url: String,
    /// `["*"]` (every event type, standing alone) or 1 to 50 event types such as `points.changed`;
    /// repeats are kept once.
    #[cfg_attr(feature = "openapi", schema(schema_with = event_selection))]
    pub events: Vec<String>,
}

/// The schema of `events` in an endpoint's body: 1 to 50 of the event types' names or `*`.
#[cfg(feature = "openapi")]
fn event_selection() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let words = EventType::ALL
        .iter()
        .map(|t| t.as_str())
        .chain([ALL_EVENTS]);
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(words)),
        )
        .min_items(Some(1))
        .max_items(Some(MAX_EVENTS))
        .description(Some(
            "`[\"*\"]` (every event type, standing alone) or 1 to 50 event types such as \
             `points.changed`; repeats are kept once.",
        ))
        .build()
}

/// `events` of `PATCH …/webhooks/{id}`: as [`event_selection`], or `null` (left as it is).
#[cfg(feature = "openapi")]
fn optional_event_selection() -> utoipa::openapi::schema::Array {
    let mut array = event_selection();
    array.schema_type = utoipa::openapi::schema::SchemaType::from_iter([
        utoipa::openapi::schema::Type::Array,
        utoipa::openapi::schema::Type::Null,
    ]);
    array
}

/// At most this many entries in an endpoint's `events` (there are a dozen types).
pub const MAX_EVENTS: usize = 50;

/// Body of `PATCH …/webhooks/{id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointUpdate {
    /// As in `POST …/webhooks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub url: Option<String>,
    /// As in `POST …/webhooks`; `null` or absent: left as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = optional_event_selection))]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// An endpoint as listed and shown: never with its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

/// The answer to `POST …/webhooks`: the only time the signing secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointCreated {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// `whsec_` and the base64 of 32 random bytes; verify deliveries with it.
    pub secret: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

/// `GET …/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpointList {
    pub items: Vec<WebhookEndpoint>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// A 2xx answer came back.
    Succeeded,
    /// Every attempt of the schedule failed; `POST …/retry` tries once more.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl FromStr for DeliveryStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(DeliveryStatus::Pending),
            "succeeded" => Ok(DeliveryStatus::Succeeded),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(format!("unknown delivery status {other:?}")),
        }
    }
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: String,
    /// The `webhook-id` header of every attempt.
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// The HTTP status of the last attempt; null when it got no answer (or none was made yet).
    pub response_status: Option<i64>,
    /// When the next attempt is due; null once succeeded or failed.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub next_attempt_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Tally's extension: why the last attempt failed (`connection refused`, `HTTP 500`, …).
    #[serde(default)]
    pub last_error: Option<String>,
    /// Tally's extension, in `GET …/deliveries/{delivery_id}` only: every attempt, oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<WebhookAttempt>>,
}

/// One attempt of a delivery, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub attempted_at: String,
    /// The receiver's HTTP status; null when none came (refused, timed out, refused by the address rule).
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// `GET …/webhooks/{id}/deliveries`: newest first; `next` is the cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryPage {
    pub items: Vec<WebhookDelivery>,
    pub next: Option<String>,
}

/// The answer to `POST …/webhooks/{id}/test`: the test event and its one delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookTestSent {
    pub event_id: String,
    pub delivery_id: String,
}

/// The body of every delivery: `{"type", "timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the event happened (RFC 3339, UTC); the same on every retry.
    pub timestamp: String,
    pub data: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_reads_back_from_its_name_and_serializes_as_it() {
        for event in EventType::ALL {
            assert_eq!(event.as_str().parse::<EventType>(), Ok(event));
            assert_eq!(
                serde_json::to_value(event).ok(),
                Some(serde_json::Value::String(event.as_str().to_owned()))
            );
        }
        assert!("points.changed ".parse::<EventType>().is_err());
        assert!("*".parse::<EventType>().is_err());
    }
}
