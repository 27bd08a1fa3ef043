//! `PATCH /v1/shops/{shop_id}`: the shop's name, currency and locale (the console's first-run guide).

use axum::extract::State;
use axum::routing::patch;
use axum::Router;
use tally_core::api::{ErrorBody, Shop};
use tally_core::staff::ShopUpdate;

use super::auth::Merchant;
use super::extract::Json;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/shops/{shop_id}", patch(shop_update))
}

/// Locales the widget and console speak, as `xx` or `xx-YY`.
fn is_locale(text: &str) -> bool {
    let mut parts = text.split('-');
    let language = parts.next().unwrap_or("");
    let region = parts.next();
    parts.next().is_none()
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Sets the shop's name, currency or locale; absent fields stay. The currency may change only while the
/// shop has recorded no order and no points (400 saying so otherwise).
#[utoipa::path(patch, path = "/v1/shops/{shop_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    request_body(content = ShopUpdate),
    responses((status = 200, description = "The shop as it is now", body = Shop),
              (status = 400, description = "`invalid_request`: a bad field, or a new currency after orders or points were recorded", body = ErrorBody),
              (status = 403, description = "`forbidden`: only an owner or a manager", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn shop_update(
    State(state): State<AppState>,
    merchant: Merchant,
    Json(mut update): Json<ShopUpdate>,
) -> AppResult<Json<Shop>> {
    if let Some(name) = &update.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid("name: 1 to 100 characters".into()));
        }
        update.name = Some(name.to_owned());
    }
    if let Some(currency) = &update.currency {
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(AppError::Invalid(format!(
                "currency: an ISO 4217 code such as USD or EUR, not {currency:?}"
            )));
        }
    }
    if let Some(locale) = &update.locale {
        if !is_locale(locale) {
            return Err(AppError::Invalid(format!(
                "locale: a language such as en, de or pt-BR, not {locale:?}"
            )));
        }
    }
    let shop = crate::shops::update_profile(
        &state.db,
        &merchant.shop.shop,
        &update,
        merchant.actor.name(),
        state.clock.now_ms(),
    )
    .await?;
    state.shops.forget(&shop.id);
    Ok(Json(shop))
}

#[cfg(test)]
mod tests {
    use super::is_locale;

    #[test]
    fn locales_are_a_language_and_maybe_a_region() {
        assert!(is_locale("en"));
        assert!(is_locale("pt-BR"));
        assert!(!is_locale("EN"));
        assert!(!is_locale("en-"));
        assert!(!is_locale("english"));
    }
}
