//! Shopper tokens as an attacker presents them: any bytes, split on NUL into key, shop id, customer id,
//! timestamp, signature and the server's clock. Checking never panics; only the genuine signature for
//! exactly this shop, customer and timestamp passes, and only within the window; and a token that `sign`
//! made always passes within the window and fails for any other shop, customer or timestamp.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_core::rules::is_valid_customer_id;
use tally_core::token::{sign, verify, TokenError, WINDOW_SECS};

fuzz_target!(|data: &[u8]| {
    let mut fields = data.split(|b| *b == 0);
    let mut next = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let (key, shop, customer, timestamp, signature, clock) =
        (next(), next(), next(), next(), next(), next());
    let now: i64 = clock.parse().unwrap_or(1_800_000_000);

    // Whatever is presented: no panic, and a pass means the genuine token within the window.
    if verify(
        key.as_bytes(),
        &shop,
        &customer,
        &timestamp,
        &signature,
        now,
    )
    .is_ok()
    {
        let t: i64 = timestamp.parse().expect("a passing timestamp is a number");
        assert_eq!(
            timestamp,
            t.to_string(),
            "only the canonical digits were signed"
        );
        assert_eq!(signature, sign(key.as_bytes(), &shop, &customer, t));
        assert!((now - t).abs() <= WINDOW_SECS);
    }

    // What `sign` makes passes in the window, fails outside it, and fits nothing else.
    let Ok(t) = timestamp.parse::<i64>() else {
        return;
    };
    if !(0..1_000_000_000_000).contains(&t) || !is_valid_customer_id(&customer) {
        return;
    }
    let good = sign(key.as_bytes(), &shop, &customer, t);
    let ts = t.to_string();
    let skew = now.rem_euclid(2 * WINDOW_SECS + 1) - WINDOW_SECS;
    assert_eq!(
        verify(key.as_bytes(), &shop, &customer, &ts, &good, t + skew),
        Ok(())
    );
    assert_eq!(
        verify(
            key.as_bytes(),
            &shop,
            &customer,
            &ts,
            &good,
            t + WINDOW_SECS + 1 + skew.abs()
        ),
        Err(TokenError::Expired)
    );
    let other_shop = format!("{shop}x");
    assert_eq!(
        verify(key.as_bytes(), &other_shop, &customer, &ts, &good, t),
        Err(TokenError::Mismatch)
    );
    let other_customer = if customer.len() < 128 {
        format!("{customer}x")
    } else {
        "x".to_owned()
    };
    if other_customer != customer {
        assert_eq!(
            verify(key.as_bytes(), &shop, &other_customer, &ts, &good, t),
            Err(TokenError::Mismatch)
        );
    }
    let other_time = (t + 1 + now.rem_euclid(WINDOW_SECS)).to_string();
    if other_time.len() <= 12 {
        assert_eq!(
            verify(key.as_bytes(), &shop, &customer, &other_time, &good, t),
            Err(TokenError::Mismatch)
        );
    }
    // A key of another length or content never signs alike (the HMAC key is the whole key).
    let other_key = format!("{key}x");
    assert_ne!(good, sign(other_key.as_bytes(), &shop, &customer, t));
});
