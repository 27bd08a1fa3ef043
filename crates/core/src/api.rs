//! The wire types of the loyalty API, version 1 (`shared/contract/loyalty-api-v1.md`).
//!
//! Money is an integer count of the currency's minor units, points are integers, times are RFC 3339
//! strings in UTC. The server writes these types and the widget reads them, so both agree by construction.

use serde::{Deserialize, Serialize};

use crate::words::wire_enum;

/// `GET /v1/shops/{shop_id}/program`: everything a guest may know about a shop's program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Program {
    pub shop: Shop,
    #[serde(flatten)]
    pub rules: ProgramRules,
}

/// The public face of a shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shop {
    pub id: String,
    pub name: String,
    /// ISO 4217 code, upper case.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// BCP 47 language tag, e.g. `en` or `de-AT`.
    pub locale: String,
}

/// The part of a program a merchant edits: the body of `PUT …/program` (less `allowed_origins`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramRules {
    pub points: PointsName,
    pub earn_rules: Vec<EarnRule>,
    pub tiers: Vec<Tier>,
    pub tier_metric: TierMetric,
    pub rewards: Vec<Reward>,
    pub referral: ReferralProgram,
    /// Days after which earned points expire (1–3650); `null`: they never do.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub points_expiry_days: Option<u32>,
    /// What an issued discount code that expires unused does: `true` gives its points back (once, as an
    /// `adjust` entry naming the code); `false`, the default, keeps them spent.
    #[serde(default)]
    pub refund_expired_codes: bool,
    /// Theme settings as the shop saved them; validated by the widget, which falls back per value.
    /// `PUT …/program` refuses a theme with any value the widget would not accept.
    #[serde(default = "empty_object")]
    pub theme: serde_json::Value,
    /// The NPS question the widget asks now and then, and what an answer earns; absent: none asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackProgram>,
}

/// `feedback` of a program: points for an answer, at most once per `cooldown_days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackProgram {
    /// Points an answer earns (≥ 0).
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub points: i64,
    /// Days after an answer before the next one is asked for (1–3650).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    pub cooldown_days: u32,
    /// The question as the widget asks it; absent: the widget's own wording. 1 to 500 characters, not
    /// only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

/// How often, per customer, a reward may be redeemed or a custom earn rule awarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limit {
    /// At least 1.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub count: u32,
    pub per: LimitPeriod,
}

wire_enum! {
    /// The period a [`Limit`] counts over: calendar periods in UTC, or the customer's whole life.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum LimitPeriod("limit period") {
        Day = "day",
        Month = "month",
        Year = "year",
        Lifetime = "lifetime",
    }
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// The program's own name for its points ("star", "stars").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsName {
    /// Not empty nor only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub singular: String,
    /// Not empty nor only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub plural: String,
}

impl Default for PointsName {
    fn default() -> Self {
        Self {
            singular: "point".into(),
            plural: "points".into(),
        }
    }
}

/// A way to earn points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EarnRule {
    /// 1 to 64 letters, digits, `-`, `_` or `.`; unique among the earn rules.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9._-]{1,64}$"))]
    pub id: String,
    pub kind: EarnRuleKind,
    /// Not empty nor only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub title: String,
    /// For `purchase` (required there): points per whole currency unit spent, ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_per_unit: Option<i64>,
    /// For every other kind (required there): the points awarded once, ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<i64>,
    /// For `custom` only: how often one customer may be awarded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

wire_enum! {
    /// What an earn rule awards points for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum EarnRuleKind("earn rule kind") {
        Purchase = "purchase",
        Signup = "signup",
        Birthday = "birthday",
        Referral = "referral",
        Custom = "custom",
    }
}

/// A tier of the program. Tiers rank in list order; a customer earns the one with the highest
/// `threshold` ≤ their metric, and holds the higher-ranked of that one and a paid tier they bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tier {
    /// 1 to 64 letters, digits, `-`, `_` or `.`; unique among the tiers.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9._-]{1,64}$"))]
    pub id: String,
    /// Not empty nor only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub name: String,
    /// Minor units of spend, or lifetime points, depending on the program's `tier_metric`; `null` only
    /// for a paid tier that is reached by buying it alone. The first threshold is 0 and each one after it
    /// is greater than the one before.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub threshold: Option<i64>,
    /// Multiplies purchase points; kept as the contract writes it, applied in thousandths
    /// (see [`crate::rules::multiplier_thousandths`]) so points never pass through a float sum. 0 to 100.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub earn_multiplier: f64,
    #[serde(default)]
    pub benefits: Vec<String>,
    /// A tier that can be bought (a membership); absent: earned only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<PaidTier>,
}

/// `paid` of a tier: what a membership costs, how long it lasts and where to buy it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaidTier {
    /// In the shop's currency's minor units, ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub price_minor: i64,
    /// 1–3660.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3660))]
    pub period_days: u32,
    /// The shop's page that sells it: an `http://` or `https://` URL.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^https?://"))]
    pub purchase_url: String,
}

wire_enum! {
    /// What tiers are measured in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum TierMetric("tier metric") {
        /// Order totals less refunds over the last 365 days, in minor units.
        Spend = "spend",
        /// Lifetime points earned.
        Points = "points",
    }
}

/// Something a customer can spend points on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reward {
    /// 1 to 64 letters, digits, `-`, `_` or `.`; unique among the rewards.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9._-]{1,64}$"))]
    pub id: String,
    /// Not empty nor only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kind: RewardKind,
    /// `fixed_discount` (required): minor units, ≥ 1; `percent_discount` (required): 1–100; otherwise
    /// absent (and ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// Points it costs: ≥ 1, or 0 with a `limit`.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub points_cost: i64,
    /// The id of a tier of the program that a customer must hold at least; `null`: none.
    pub min_tier: Option<String>,
    /// `free_product` (required there, not empty): the merchant's product id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Days a code redeemed for this reward stays usable (1–3650); absent: it never expires.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 3650))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_days: Option<u32>,
    /// How often one customer may redeem it; required when `points_cost` is 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

wire_enum! {
    /// What a reward gives.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum RewardKind("reward kind") {
        FixedDiscount = "fixed_discount",
        PercentDiscount = "percent_discount",
        FreeShipping = "free_shipping",
        FreeProduct = "free_product",
    }
}

/// Referral awards of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralProgram {
    /// ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub advocate_points: i64,
    /// ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub friend_points: i64,
    /// Where a referred friend lands (an `http://` or `https://` URL); the customer's code is added as
    /// `?ref=CODE`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^https?://"))]
    pub landing_url: String,
    /// Advocate rewards per advocate in any 7 days (rolling), 0 to 10000; absent: 10.
    #[cfg_attr(feature = "openapi", schema(maximum = 10000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_week: Option<u32>,
}

impl ReferralProgram {
    /// Advocate rewards per advocate per rolling week when the program does not say.
    pub const DEFAULT_MAX_PER_WEEK: u32 = 10;

    pub fn max_per_week(&self) -> u32 {
        self.max_per_week.unwrap_or(Self::DEFAULT_MAX_PER_WEEK)
    }
}

/// Body of `PUT /v1/shops/{shop_id}/program`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramUpdate {
    #[serde(flatten)]
    pub rules: ProgramRules,
    /// Origins the widget may call from, each `scheme://host[:port]` (`http` or `https`; no path, no
    /// trailing slash).
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^https?://(?:[^/?#@ :]|[^/?#@ :][^/?#@ ]*[^/?#@ :])$")
    )]
    pub allowed_origins: Vec<String>,
}

/// `GET …/me` and `GET …/customers/{id}`: one customer as they stand now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub customer_id: String,
    pub first_name: Option<String>,
    pub balance: i64,
    pub lifetime_points: i64,
    pub tier: Option<TierRef>,
    pub next_tier: Option<NextTier>,
    /// 0.0 to 1.0 of the way from the current tier's threshold to the next one's.
    pub tier_progress: f64,
    pub tier_metric_value: i64,
    pub referral: ReferralStatus,
    /// Lots expiring within 30 days, soonest first.
    pub expiring: Vec<ExpiringPoints>,
    /// The paid tier bought and while it lasts; `null` when none is running.
    #[serde(default)]
    pub membership: Option<MembershipRef>,
    /// Where the customer stands against each limited reward and custom earn rule of the program.
    #[serde(default)]
    pub limits: Vec<LimitUsage>,
    /// When the program's feedback question may next be answered; `null` when it may be now (or the
    /// program asks none).
    #[serde(default)]
    pub next_feedback_at: Option<String>,
}

/// `/me`'s `membership`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRef {
    pub tier_id: String,
    pub expires_at: String,
}

wire_enum! {
    /// What a [`LimitUsage`] is about.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum LimitKind("limit kind") {
        Reward = "reward",
        EarnRule = "earn_rule",
    }
}

/// One limited reward or custom earn rule as this customer stands against its limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitUsage {
    pub kind: LimitKind,
    /// The reward's or the earn rule's id.
    pub id: String,
    /// Redemptions or awards in the current period.
    pub used: i64,
    /// The limit's `count`.
    pub count: u32,
    pub per: LimitPeriod,
    /// When the current period ends (the next one starts); `null` for `lifetime`.
    pub resets_at: Option<String>,
}

/// Body of `POST …/customers/{customer_id}/memberships`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipRequest {
    /// A tier of the program with `paid`.
    pub tier_id: String,
    /// The shop's order that paid for it: 1 to 255 characters, one purchase per order.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub order_id: String,
}

/// A membership purchase: the paid tier and the period this purchase runs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub tier_id: String,
    pub order_id: String,
    pub starts_at: String,
    /// When the membership ends (after a cancel: when it ended).
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextTier {
    pub id: String,
    pub name: String,
    pub threshold: i64,
    /// What is left to reach it, in the unit of the program's tier metric.
    pub remaining: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralStatus {
    pub code: String,
    pub url: String,
    pub friends_referred: i64,
    pub points_earned: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiringPoints {
    pub points: i64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: String,
}

/// `GET …/me/activity`: one page of the ledger, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    pub items: Vec<Activity>,
    /// Pass as `before` to get the next (older) page; `null` on the last page.
    pub next: Option<String>,
    /// Merchant view only, on the first page: what the ledger did not record and why (a referral
    /// refused). Absent for the shopper.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<ActivityNote>,
}

/// Something that happened to a customer without a ledger entry, for the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityNote {
    /// `referral_refused`.
    pub kind: String,
    /// Why, as a word: `same_customer`, `same_email`, `same_phone`, `email_already_referred`,
    /// `phone_already_referred` or `weekly_limit` (the advocate's award only).
    pub reason: String,
    /// The same, for a person.
    pub message: String,
    /// The friend's order that carried the referral code.
    pub order_id: String,
    pub friend_id: String,
    /// `null` when the code was the friend's own.
    pub advocate_id: Option<String>,
    pub created_at: String,
}

/// One ledger entry as the shopper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activity {
    pub id: String,
    pub kind: ActivityKind,
    /// Signed: earned points are positive, spent, reversed or expired points negative.
    pub points: i64,
    pub balance_after: i64,
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

wire_enum! {
    /// The kind of a ledger entry.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ActivityKind("activity kind") {
        Signup = "signup",
        Earn = "earn",
        Redeem = "redeem",
        Refund = "refund",
        Adjust = "adjust",
        Expire = "expire",
        Referral = "referral",
    }
}

/// Body of `POST …/me/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionRequest {
    pub reward_id: String,
}

/// A reward redeemed for a discount code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Redemption {
    pub id: String,
    pub reward_id: String,
    pub code: String,
    pub points_spent: i64,
    /// The balance right after this redemption.
    pub balance: i64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Where the code stands now (in a redemption's first answer: `issued`). Answers stored before codes
    /// had a status read as `issued`.
    #[serde(default)]
    pub status: CodeStatus,
    /// When the code stops being usable; `null` when the reward has no `code_valid_days`.
    #[serde(default)]
    pub expires_at: Option<String>,
}

wire_enum! {
    /// Where a discount code stands. An `issued` code past its `expires_at` is `expired`, whether or not
    /// the server has recorded it yet.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CodeStatus("code status") {
        /// Usable at checkout.
        #[default]
        Issued = "issued",
        /// Used with an order (`order_id`).
        Used = "used",
        /// Cancelled by the shop; its points went back to the customer.
        Cancelled = "cancelled",
        /// Past its `expires_at` unused.
        Expired = "expired",
    }
}

/// `GET …/codes/{code}` and the answer of `use` and `cancel`: a discount code as the shop's checkout
/// sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiscountCode {
    pub code: String,
    pub status: CodeStatus,
    pub customer_id: String,
    pub redemption_id: String,
    /// The reward as the program showed it when the code was redeemed. `null` only for a code redeemed
    /// before Tally kept rewards with their codes whose reward the program no longer has.
    pub reward: Option<Reward>,
    pub points_spent: i64,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub used_at: Option<String>,
    /// The order the code was used with.
    pub order_id: Option<String>,
}

/// Body of `POST …/codes/{code}/use`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeUseRequest {
    /// The shop's order the code is used with: 1 to 255 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub order_id: String,
}

/// `GET …/me/redemptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionList {
    pub items: Vec<Redemption>,
}

/// Body of `POST …/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRequest {
    /// The shop's own order id, 1 to 255 characters: an order is recorded once per id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub order_id: String,
    /// The shop's own customer id: 1 to 128 printable ASCII characters (space included).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")
    )]
    pub customer_id: String,
    /// The order's total in minor units, ≥ 0.
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub total_minor: i64,
    /// The shop's own currency (ISO 4217, upper case); any other is refused.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// A referral code the shopper brought: at most 64 bytes (the codes Tally issues are ASCII).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub referral_code: Option<String>,
    /// Where the order was placed; `online` when absent.
    #[serde(default, skip_serializing_if = "OrderChannel::is_online")]
    pub channel: OrderChannel,
}

wire_enum! {
    /// Where an order was placed: the online shop or the counter.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum OrderChannel("order channel") {
        #[default]
        Online = "online",
        Pos = "pos",
    }
}

impl OrderChannel {
    /// The default; left out of an order's stored form so orders hash as they did before channels.
    pub fn is_online(&self) -> bool {
        *self == OrderChannel::Online
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderResult {
    pub order_id: String,
    pub points_awarded: i64,
    pub balance: i64,
}

/// Body of `POST …/orders/{order_id}/refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundRequest {
    /// 1 to 255 characters: a refund is recorded once per id.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub refund_id: String,
    /// The amount refunded in minor units, ≥ 1.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub amount_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundResult {
    pub refund_id: String,
    pub points_reversed: i64,
    pub balance: i64,
}

/// Body of `POST …/customers/{customer_id}/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustmentRequest {
    /// Points added (> 0) or removed (< 0); never 0. The balance must stay within the ledger's limit.
    pub points: i64,
    /// 1 to 500 characters, not only white space.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 500,
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub reason: String,
    /// 1 to 255 characters: the adjustment is made once per key.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub idempotency_key: String,
}

/// Body of `POST …/customers/{customer_id}/activities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityRequest {
    /// The id of a `custom` or `birthday` earn rule of the program.
    pub rule_id: String,
    /// 1 to 255 characters: the award is made once per key.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 255))]
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityResult {
    pub points_awarded: i64,
    pub balance: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceResult {
    pub balance: i64,
}

/// Body of `PATCH …/customers/{customer_id}`; absent fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerUpdate {
    /// 1 to 100 characters, not only white space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 100,
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub first_name: Option<String>,
    /// At most 254 bytes: something before an `@`, and a `.` somewhere after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 254, pattern = r"^[^@]+@[^.]*\.")
    )]
    pub email: Option<String>,
    /// `MM-DD` of a day that exists in some year (`02-29` included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-9])|(?:0[13-9]|1[0-2])-30|(?:0[13578]|1[02])-31)$"
        )
    )]
    pub birthday: Option<String>,
    /// Any usual way of writing it, 1 to 40 characters once white space around it is trimmed; without a
    /// `+` or `00` country code only where the shop's locale and currency name one country. Stored in
    /// E.164 (`+15550104477`). One customer per phone per shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
        )
    )]
    pub phone: Option<String>,
}

/// `GET …/customers`: one page of the shop's customers, newest enrolled first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPage {
    pub items: Vec<CustomerListItem>,
    /// Pass as `before` to get the next (older) page; `null` on the last page.
    pub next: Option<String>,
}

/// A customer as the shop's list and search show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerListItem {
    pub customer_id: String,
    pub first_name: Option<String>,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub balance: i64,
    /// The tier held now (earned or paid).
    pub tier: Option<TierRef>,
    pub enrolled_at: String,
    /// The newest ledger entry's time; the enrolment's when there is none.
    pub last_activity_at: String,
}

/// Body of `POST …/me/feedback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackRequest {
    /// 0 to 10: how likely the shopper is to recommend the shop.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub score: i64,
    /// At most 2,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackResult {
    pub points_awarded: i64,
    pub balance: i64,
    /// When the question may be answered again.
    pub next_allowed_at: String,
}

/// One answer to the feedback question, as the merchant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackAnswer {
    /// 0 to 10.
    pub score: i64,
    pub comment: Option<String>,
    pub points_awarded: i64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

/// `GET …/customers/{customer_id}/feedback`: every answer of the customer, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackList {
    pub items: Vec<FeedbackAnswer>,
}

/// The summary's Net Promoter Score over the answers of the last 365 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nps {
    /// −100 to 100: % promoters − % detractors, rounded; 0 without answers.
    pub score: i64,
    pub responses: i64,
    /// Scores 9 and 10.
    pub promoters: i64,
    /// Scores 7 and 8.
    pub passives: i64,
    /// Scores 0 to 6.
    pub detractors: i64,
}

/// The summary's orders by where they were placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrdersByChannel {
    pub online: i64,
    pub pos: i64,
}

/// `GET …/reports/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub members: i64,
    pub points_issued: i64,
    pub points_redeemed: i64,
    pub points_expired: i64,
    pub points_outstanding: i64,
    pub redemptions: i64,
    /// Share of members who redeemed at least once, 0.0 to 1.0.
    pub redemption_rate: f64,
    /// Members by the tier they hold now (earned or paid).
    pub members_by_tier: std::collections::BTreeMap<String, i64>,
    #[serde(default)]
    pub orders_by_channel: OrdersByChannel,
    #[serde(default)]
    pub nps: Nps,
}

/// `{"error": {...}}`: the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// An [`ErrorCode`]'s word; a string so that a client reads codes added after it was built.
    pub code: String,
    /// A sentence for a person; names the field when a field is at fault.
    pub message: String,
}

wire_enum! {
    /// The error codes of the contract (`{"error": {"code", "message"}}`), Part 2's included.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum ErrorCode("error code") {
        /// 400 (also 405, 413, 431): bad JSON, a missing or out-of-range field; the message names it.
        InvalidRequest = "invalid_request",
        /// 401.
        Unauthorized = "unauthorized",
        /// 403: signed in, but the role may not do this.
        Forbidden = "forbidden",
        /// 404.
        NotFound = "not_found",
        /// 409: a key reused with another body.
        IdempotencyConflict = "idempotency_conflict",
        /// 409: a discount code already used with another order.
        CodeAlreadyUsed = "code_already_used",
        /// 409: a discount code cancelled or expired.
        CodeNotUsable = "code_not_usable",
        /// 409: a phone number another customer of the shop has.
        PhoneTaken = "phone_taken",
        /// 422.
        InsufficientPoints = "insufficient_points",
        /// 422.
        RewardUnavailable = "reward_unavailable",
        /// 422.
        RefundExceedsOrder = "refund_exceeds_order",
        /// 422: a limit of the program or the plan.
        LimitReached = "limit_reached",
        /// 422: feedback again before the program allows it.
        FeedbackTooSoon = "feedback_too_soon",
        /// 429, with `Retry-After`.
        RateLimited = "rate_limited",
        /// 500: nothing of the cause is shown.
        Internal = "internal",
        /// 503, with `Retry-After`: the database is unreachable or the request ran too long.
        Unavailable = "unavailable",
    }
}

/// The error codes as strings, for matching `ErrorDetail::code` (spelled by [`ErrorCode`]).
pub mod error_code {
    use super::ErrorCode;

    pub const INVALID_REQUEST: &str = ErrorCode::InvalidRequest.as_str();
    pub const UNAUTHORIZED: &str = ErrorCode::Unauthorized.as_str();
    pub const FORBIDDEN: &str = ErrorCode::Forbidden.as_str();
    pub const NOT_FOUND: &str = ErrorCode::NotFound.as_str();
    pub const IDEMPOTENCY_CONFLICT: &str = ErrorCode::IdempotencyConflict.as_str();
    pub const CODE_ALREADY_USED: &str = ErrorCode::CodeAlreadyUsed.as_str();
    pub const CODE_NOT_USABLE: &str = ErrorCode::CodeNotUsable.as_str();
    pub const PHONE_TAKEN: &str = ErrorCode::PhoneTaken.as_str();
    pub const INSUFFICIENT_POINTS: &str = ErrorCode::InsufficientPoints.as_str();
    pub const REWARD_UNAVAILABLE: &str = ErrorCode::RewardUnavailable.as_str();
    pub const REFUND_EXCEEDS_ORDER: &str = ErrorCode::RefundExceedsOrder.as_str();
    pub const LIMIT_REACHED: &str = ErrorCode::LimitReached.as_str();
    pub const FEEDBACK_TOO_SOON: &str = ErrorCode::FeedbackTooSoon.as_str();
    pub const RATE_LIMITED: &str = ErrorCode::RateLimited.as_str();
    pub const INTERNAL: &str = ErrorCode::Internal.as_str();
    pub const UNAVAILABLE: &str = ErrorCode::Unavailable.as_str();
}

/// Names of the shopper headers.
pub mod header {
    pub const CUSTOMER: &str = "X-Tally-Customer";
    pub const TIMESTAMP: &str = "X-Tally-Timestamp";
    pub const SIGNATURE: &str = "X-Tally-Signature";
    pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
}
