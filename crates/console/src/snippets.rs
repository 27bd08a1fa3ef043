//! What the Install page hands the merchant: the script tag and the signing code of their back end, with
//! their shop id filled in. Only the shop id and the server's address go in; the secret key never does.

/// The script tag for a signed-in customer's page; the three `data-` values come from the signing code.
pub fn script_tag(host: &str, shop_id: &str) -> String {
    format!(
        r#"<script src="{host}/widget/tally.js" defer
        data-shop="{shop_id}" data-api="{host}"
        data-customer="CUSTOMER_ID" data-timestamp="TIMESTAMP" data-signature="SIGNATURE"></script>"#
    )
}

/// The back-end languages the Install page shows signing code for.
pub const LANGUAGES: [&str; 4] = ["Node", "PHP", "Python", "Ruby"];

/// Signing code in `language` (one of [`LANGUAGES`]) with the shop id filled in. The secret key is read
/// from the environment variable `TALLY_SECRET_KEY`.
pub fn signing_code(language: &str, shop_id: &str) -> String {
    let shop = shop_id.replace('\\', "\\\\").replace('"', "\\\"");
    match language {
        "Node" => format!(
            r#"const crypto = require("node:crypto");

// HMAC-SHA256 of "{{shop_id}}:{{customer_id}}:{{timestamp}}", lowercase hex, keyed with the secret key.
function signShopperToken(customerId, secretKey = process.env.TALLY_SECRET_KEY) {{
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = crypto
    .createHmac("sha256", secretKey)
    .update(`{shop}:${{customerId}}:${{timestamp}}`, "utf8")
    .digest("hex");
  return {{ customerId, timestamp, signature }};
}}"#
        ),
        "PHP" => format!(
            r#"<?php
// HMAC-SHA256 of "{{shop_id}}:{{customer_id}}:{{timestamp}}", lowercase hex, keyed with the secret key.
function tally_sign_shopper_token(string $customerId): array {{
    $timestamp = time();
    $signature = hash_hmac('sha256', "{shop}:{{$customerId}}:{{$timestamp}}", getenv('TALLY_SECRET_KEY'));
    return ['customer' => $customerId, 'timestamp' => $timestamp, 'signature' => $signature];
}}"#
        ),
        "Python" => format!(
            r#"import hashlib, hmac, os, time

# HMAC-SHA256 of "{{shop_id}}:{{customer_id}}:{{timestamp}}", lowercase hex, keyed with the secret key.
def sign_shopper_token(customer_id: str) -> dict:
    timestamp = int(time.time())
    message = f"{shop}:{{customer_id}}:{{timestamp}}".encode()
    key = os.environ["TALLY_SECRET_KEY"].encode()
    signature = hmac.new(key, message, hashlib.sha256).hexdigest()
    return {{"customer": customer_id, "timestamp": timestamp, "signature": signature}}"#
        ),
        _ => format!(
            r#"require "openssl"

# HMAC-SHA256 of "{{shop_id}}:{{customer_id}}:{{timestamp}}", lowercase hex, keyed with the secret key.
def sign_shopper_token(customer_id)
  timestamp = Time.now.to_i
  signature = OpenSSL::HMAC.hexdigest("SHA256", ENV.fetch("TALLY_SECRET_KEY"), "{shop}:#{{customer_id}}:#{{timestamp}}")
  {{ customer: customer_id, timestamp: timestamp, signature: signature }}
end"#
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_signs_the_shop_id_colon_customer_colon_timestamp() {
        for language in LANGUAGES {
            let code = signing_code(language, "corner-bakery");
            assert!(code.contains("corner-bakery:"), "{language}: {code}");
            assert!(code.contains("TALLY_SECRET_KEY"), "{language}");
            assert!(!code.contains("{shop}"), "{language}");
        }
    }

    #[test]
    fn the_script_tag_names_the_shop_and_the_host() {
        let tag = script_tag("https://loyalty.example", "corner-bakery");
        assert!(tag.contains(r#"src="https://loyalty.example/widget/tally.js""#));
        assert!(tag.contains(r#"data-shop="corner-bakery""#));
    }
}
