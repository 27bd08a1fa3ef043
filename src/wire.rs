//! Reads the API's JSON into `tally-core`'s wire types through the browser's `JSON.parse`.
//!
//! serde's derived visitors plus serde_json's parser were a third of the widget's wasm (~65 KB raw);
//! the browser already has a JSON parser, so we read the parsed object field by field. The types are
//! still `tally-core`'s, and the defaults follow their serde attributes (a missing `Option` is `None`,
//! `description` and `benefits` default to empty). `tests/wire.rs` checks the result against serde.

use js_sys::{Array, Reflect};
use tally_core::theme::Json;
use tally_core::{
    Activity, ActivityPage, CodeStatus, EarnRule, ExpiringPoints, FeedbackProgram, FeedbackResult,
    Limit, LimitUsage, Me, MembershipRef, NextTier, PaidTier, PointsName, Program, ProgramRules,
    Redemption, ReferralProgram, ReferralStatus, Reward, Shop, Tier, TierRef,
};
use wasm_bindgen::{JsCast, JsValue};

/// The JSON did not have the shape of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

type Read<T> = Result<T, Malformed>;

/// A parsed JSON object.
struct Obj(JsValue);

impl Obj {
    fn new(value: JsValue) -> Read<Self> {
        if value.is_object() && !Array::is_array(&value) {
            Ok(Self(value))
        } else {
            Err(Malformed)
        }
    }

    /// The field, or `None` when it is missing or `null`.
    fn opt(&self, key: &str) -> Option<JsValue> {
        Reflect::get(&self.0, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn req(&self, key: &str) -> Read<JsValue> {
        self.opt(key).ok_or(Malformed)
    }

    fn str(&self, key: &str) -> Read<String> {
        self.req(key)?.as_string().ok_or(Malformed)
    }

    fn opt_str(&self, key: &str) -> Read<Option<String>> {
        self.opt(key)
            .map(|v| v.as_string().ok_or(Malformed))
            .transpose()
    }

    /// One of a wire enum's words, parsed by `tally-core` (its `FromStr`).
    fn word<T: core::str::FromStr>(&self, key: &str) -> Read<T> {
        self.str(key)?.parse().map_err(|_| Malformed)
    }

    fn int(&self, key: &str) -> Read<i64> {
        integer(&self.req(key)?)
    }

    fn opt_int(&self, key: &str) -> Read<Option<i64>> {
        self.opt(key).map(|v| integer(&v)).transpose()
    }

    fn float(&self, key: &str) -> Read<f64> {
        self.req(key)?.as_f64().ok_or(Malformed)
    }

    fn obj(&self, key: &str) -> Read<Obj> {
        Obj::new(self.req(key)?)
    }

    fn opt_obj(&self, key: &str) -> Read<Option<Obj>> {
        self.opt(key).map(Obj::new).transpose()
    }

    /// A list of objects; a missing list is empty.
    fn list<T>(&self, key: &str, item: impl Fn(&Obj) -> Read<T>) -> Read<Vec<T>> {
        let Some(value) = self.opt(key) else {
            return Ok(Vec::new());
        };
        if !Array::is_array(&value) {
            return Err(Malformed);
        }
        Array::from(&value)
            .iter()
            .map(|v| item(&Obj::new(v)?))
            .collect()
    }

    fn strings(&self, key: &str) -> Read<Vec<String>> {
        let Some(value) = self.opt(key) else {
            return Ok(Vec::new());
        };
        if !Array::is_array(&value) {
            return Err(Malformed);
        }
        Array::from(&value)
            .iter()
            .map(|v| v.as_string().ok_or(Malformed))
            .collect()
    }
}

/// A JSON number that is a whole number within `i64`'s safe range.
fn integer(value: &JsValue) -> Read<i64> {
    let n = value.as_f64().ok_or(Malformed)?;
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        Ok(n as i64)
    } else {
        Err(Malformed)
    }
}

fn root(text: &str) -> Read<Obj> {
    Obj::new(js_sys::JSON::parse(text).map_err(|_| Malformed)?)
}

/// `GET …/program`.
pub fn program(text: &str) -> Read<Program> {
    let o = root(text)?;
    let shop = o.obj("shop")?;
    let points = o.obj("points")?;
    let referral = o.obj("referral")?;
    Ok(Program {
        shop: Shop {
            id: shop.str("id")?,
            name: shop.str("name")?,
            currency: shop.str("currency")?,
            locale: shop.str("locale")?,
        },
        rules: ProgramRules {
            points: PointsName {
                singular: points.str("singular")?,
                plural: points.str("plural")?,
            },
            earn_rules: o.list("earn_rules", earn_rule)?,
            tiers: o.list("tiers", tier)?,
            tier_metric: o.word("tier_metric")?,
            rewards: o.list("rewards", reward)?,
            referral: ReferralProgram {
                advocate_points: referral.int("advocate_points")?,
                friend_points: referral.int("friend_points")?,
                landing_url: referral.str("landing_url")?,
                max_per_week: referral
                    .opt_int("max_per_week")?
                    .map(|n| u32::try_from(n).map_err(|_| Malformed))
                    .transpose()?,
            },
            points_expiry_days: o
                .opt_int("points_expiry_days")?
                .map(|d| u32::try_from(d).map_err(|_| Malformed))
                .transpose()?,
            // The widget reads the theme with `program_theme` (no serde_json in the wasm).
            theme: serde_json::Value::Object(Default::default()),
            // What happens to a code at expiry is the shop's business, not the shopper's view.
            refund_expired_codes: false,
            feedback: o
                .opt_obj("feedback")?
                .map(|f| {
                    Ok(FeedbackProgram {
                        points: f.int("points")?,
                        cooldown_days: days(f.int("cooldown_days")?)?,
                        question: f.opt_str("question")?,
                    })
                })
                .transpose()?,
        },
    })
}

/// A count of days (or any small non-negative count) as `u32`.
fn days(n: i64) -> Read<u32> {
    u32::try_from(n).map_err(|_| Malformed)
}

/// A reward's or an earn rule's `limit`, if it has one.
fn limit(o: &Obj) -> Read<Option<Limit>> {
    o.opt_obj("limit")?
        .map(|l| {
            Ok(Limit {
                count: days(l.int("count")?)?,
                per: l.word("per")?,
            })
        })
        .transpose()
}

fn earn_rule(o: &Obj) -> Read<EarnRule> {
    Ok(EarnRule {
        id: o.str("id")?,
        kind: o.word("kind")?,
        title: o.str("title")?,
        points_per_unit: o.opt_int("points_per_unit")?,
        points: o.opt_int("points")?,
        limit: limit(o)?,
    })
}

fn tier(o: &Obj) -> Read<Tier> {
    Ok(Tier {
        id: o.str("id")?,
        name: o.str("name")?,
        // `null` for a paid tier reached only by buying it.
        threshold: o.opt_int("threshold")?,
        earn_multiplier: o.float("earn_multiplier")?,
        benefits: o.strings("benefits")?,
        paid: o
            .opt_obj("paid")?
            .map(|p| {
                Ok(PaidTier {
                    price_minor: p.int("price_minor")?,
                    period_days: days(p.int("period_days")?)?,
                    purchase_url: p.str("purchase_url")?,
                })
            })
            .transpose()?,
    })
}

fn reward(o: &Obj) -> Read<Reward> {
    Ok(Reward {
        id: o.str("id")?,
        name: o.str("name")?,
        description: o.opt_str("description")?.unwrap_or_default(),
        kind: o.word("kind")?,
        value: o.opt_int("value")?,
        points_cost: o.int("points_cost")?,
        min_tier: o.opt_str("min_tier")?,
        product_id: o.opt_str("product_id")?,
        code_valid_days: o
            .opt_int("code_valid_days")?
            .map(|d| u32::try_from(d).map_err(|_| Malformed))
            .transpose()?,
        limit: limit(o)?,
    })
}

/// `GET …/me`.
pub fn me(text: &str) -> Read<Me> {
    let o = root(text)?;
    let referral = o.obj("referral")?;
    Ok(Me {
        customer_id: o.str("customer_id")?,
        first_name: o.opt_str("first_name")?,
        balance: o.int("balance")?,
        lifetime_points: o.int("lifetime_points")?,
        tier: o
            .opt_obj("tier")?
            .map(|t| {
                Ok(TierRef {
                    id: t.str("id")?,
                    name: t.str("name")?,
                })
            })
            .transpose()?,
        next_tier: o
            .opt_obj("next_tier")?
            .map(|t| {
                Ok(NextTier {
                    id: t.str("id")?,
                    name: t.str("name")?,
                    threshold: t.int("threshold")?,
                    remaining: t.int("remaining")?,
                })
            })
            .transpose()?,
        tier_progress: o.float("tier_progress")?,
        tier_metric_value: o.int("tier_metric_value")?,
        referral: ReferralStatus {
            code: referral.str("code")?,
            url: referral.str("url")?,
            friends_referred: referral.int("friends_referred")?,
            points_earned: referral.int("points_earned")?,
        },
        expiring: o.list("expiring", |e| {
            Ok(ExpiringPoints {
                points: e.int("points")?,
                expires_at: e.str("expires_at")?,
            })
        })?,
        // Servers before paid tiers, limits and feedback sent none of these: absent reads as none.
        membership: o
            .opt_obj("membership")?
            .map(|m| {
                Ok(MembershipRef {
                    tier_id: m.str("tier_id")?,
                    expires_at: m.str("expires_at")?,
                })
            })
            .transpose()?,
        limits: o.list("limits", |l| {
            Ok(LimitUsage {
                kind: l.word("kind")?,
                id: l.str("id")?,
                used: l.int("used")?,
                count: days(l.int("count")?)?,
                per: l.word("per")?,
                resets_at: l.opt_str("resets_at")?,
            })
        })?,
        next_feedback_at: o.opt_str("next_feedback_at")?,
    })
}

/// `POST …/me/feedback`.
pub fn feedback_result(text: &str) -> Read<FeedbackResult> {
    let o = root(text)?;
    Ok(FeedbackResult {
        points_awarded: o.int("points_awarded")?,
        balance: o.int("balance")?,
        next_allowed_at: o.str("next_allowed_at")?,
    })
}

/// `GET …/me/activity`.
pub fn activity_page(text: &str) -> Read<ActivityPage> {
    let o = root(text)?;
    Ok(ActivityPage {
        items: o.list("items", |a| {
            Ok(Activity {
                id: a.str("id")?,
                kind: a.word("kind")?,
                points: a.int("points")?,
                balance_after: a.int("balance_after")?,
                description: a.str("description")?,
                created_at: a.str("created_at")?,
            })
        })?,
        next: o.opt_str("next")?,
        // The merchant's notes never reach the shopper.
        notes: Vec::new(),
    })
}

/// `POST …/me/redemptions`.
pub fn redemption(text: &str) -> Read<Redemption> {
    redemption_of(&root(text)?)
}

/// `GET …/me/redemptions`: the items, newest first.
pub fn redemptions(text: &str) -> Read<Vec<Redemption>> {
    root(text)?.list("items", redemption_of)
}

fn redemption_of(o: &Obj) -> Read<Redemption> {
    Ok(Redemption {
        id: o.str("id")?,
        reward_id: o.str("reward_id")?,
        code: o.str("code")?,
        points_spent: o.int("points_spent")?,
        balance: o.int("balance")?,
        created_at: o.str("created_at")?,
        // Servers before codes at checkout sent no status: their codes were all issued.
        status: match o.opt_str("status")? {
            Some(word) => word.parse().map_err(|_| Malformed)?,
            None => CodeStatus::Issued,
        },
        expires_at: o.opt_str("expires_at")?,
    })
}

/// The `error.code` of an error body, if the body is one.
pub fn error_code(text: &str) -> Option<String> {
    root(text).ok()?.obj("error").ok()?.str("code").ok()
}

/// A parsed JSON value as `tally-core`'s neutral [`Json`], for the theme's checks.
pub fn to_json(value: &JsValue) -> Json {
    if let Some(b) = value.as_bool() {
        Json::Bool(b)
    } else if let Some(n) = value.as_f64() {
        Json::Number(n)
    } else if let Some(s) = value.as_string() {
        Json::String(s)
    } else if Array::is_array(value) {
        Json::Array(Array::from(value).iter().map(|v| to_json(&v)).collect())
    } else if value.is_object() {
        let entries = js_sys::Object::entries(value.unchecked_ref());
        Json::Object(
            entries
                .iter()
                .map(|entry| {
                    let pair: Array = entry.unchecked_into();
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        to_json(&pair.get(1)),
                    )
                })
                .collect(),
        )
    } else {
        Json::Null
    }
}

/// JSON text as [`Json`], or `None` when it does not parse.
pub fn parse_json(text: &str) -> Option<Json> {
    js_sys::JSON::parse(text).ok().map(|v| to_json(&v))
}

/// The `theme` of a `GET …/program` answer (`null` when it has none).
pub fn program_theme(text: &str) -> Json {
    root(text)
        .ok()
        .and_then(|o| o.opt("theme"))
        .map_or(Json::Null, |t| to_json(&t))
}
