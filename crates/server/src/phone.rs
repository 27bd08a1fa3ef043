//! Phone numbers of the shop's customers: parsed with the `phonenumber` crate (libphonenumber's
//! metadata) and stored in E.164, so one number has one spelling whatever way the counter typed it.

use phonenumber::country::Id;
use phonenumber::Mode;

/// The country whose numbers a shop's customers type without a country code: the region of the shop's
/// locale (`en-GB` → GB), else the one country of its currency (GBP → GB); `None` when neither names
/// one (`en` with EUR), and then a number must start with `+` or `00`.
pub fn default_region(locale: &str, currency: &str) -> Option<Id> {
    let from_locale = locale
        .split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
        .and_then(|region| region.to_ascii_uppercase().parse::<Id>().ok());
    from_locale.or_else(|| {
        let region = match currency {
            "USD" => "US",
            "GBP" => "GB",
            "TRY" => "TR",
            "SAR" => "SA",
            "JPY" => "JP",
            "CAD" => "CA",
            "AUD" => "AU",
            "NZD" => "NZ",
            "CHF" => "CH",
            "SEK" => "SE",
            "NOK" => "NO",
            "DKK" => "DK",
            "PLN" => "PL",
            "CZK" => "CZ",
            "HUF" => "HU",
            "INR" => "IN",
            "BRL" => "BR",
            "MXN" => "MX",
            "AED" => "AE",
            "KRW" => "KR",
            "SGD" => "SG",
            "ZAR" => "ZA",
            _ => return None,
        };
        region.parse().ok()
    })
}

/// `raw` in E.164 (`"+1 (555) 010-4477"` → `"+15550104477"`), or the 400 message naming `phone`. A
/// leading `00` is read as the international prefix; a number without `+` or `00` is read in `region`.
pub fn normalise(raw: &str, region: Option<Id>) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 40 {
        return Err("phone: 1 to 40 characters".into());
    }
    let international = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    if !international.starts_with('+') && region.is_none() {
        return Err(format!(
            "phone: {raw:?} needs its country code: start it with + or 00 (e.g. +44 20 7946 0958); \
             the shop's locale and currency name no single country to read it in"
        ));
    }
    let region = if international.starts_with('+') {
        None
    } else {
        region
    };
    let not_a_number = || format!("phone: {raw:?} is not a phone number");
    let number = phonenumber::parse(region, &international).map_err(|_| not_a_number())?;
    if !phonenumber::is_valid(&number) {
        return Err(not_a_number());
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_numbers_of_five_countries_in_the_ways_people_write_them_become_e164() {
        let us = default_region("en-US", "USD");
        let gb = default_region("en-GB", "GBP");
        let de = default_region("de", "EUR");
        let de_at = default_region("de-DE", "EUR");
        let tr = default_region("tr", "TRY");
        let sa = default_region("ar", "SAR");
        assert_eq!(de, None, "EUR names no single country");
        let table: &[(&str, Option<Id>, &str)] = &[
            // United States: brackets, dots, spaces, +1 and 001.
            ("+1 (201) 555-0123", None, "+12015550123"),
            ("(201) 555-0123", us, "+12015550123"),
            ("201.555.0123", us, "+12015550123"),
            ("001 201 555 0123", None, "+12015550123"),
            // United Kingdom: the trunk 0 goes, +44 comes.
            ("020 7946 0958", gb, "+442079460958"),
            ("+44 (0)20 7946 0958", None, "+442079460958"),
            ("0044 20 7946 0958", None, "+442079460958"),
            ("07911 123456", gb, "+447911123456"),
            // Germany.
            ("030 901820", de_at, "+4930901820"),
            ("+49 30 901820", None, "+4930901820"),
            ("0049 (0)30 901820", None, "+4930901820"),
            ("0151 23456789", de_at, "+4915123456789"),
            // Türkiye.
            ("0532 123 45 67", tr, "+905321234567"),
            ("+90 532 123 45 67", None, "+905321234567"),
            ("(0212) 345 67 89", tr, "+902123456789"),
            // Saudi Arabia.
            ("050 123 4567", sa, "+966501234567"),
            ("+966 50 123 4567", None, "+966501234567"),
            ("00966.50.123.4567", None, "+966501234567"),
        ];
        for (raw, region, e164) in table {
            assert_eq!(normalise(raw, *region).as_deref(), Ok(*e164), "{raw}");
        }
    }

    #[test]
    fn a_number_without_a_country_code_where_the_shop_names_no_country_is_refused_saying_so() {
        let message = normalise("030 901820", None).expect_err("no region");
        assert!(message.starts_with("phone:"), "{message}");
        assert!(message.contains("start it with + or 00"), "{message}");
    }

    #[test]
    fn what_cannot_be_a_number_is_refused_naming_the_field() {
        for raw in ["", "hello", "+1 555", "+999 123456", "12"] {
            let message = normalise(raw, default_region("en-US", "USD")).expect_err(raw);
            assert!(message.starts_with("phone:"), "{raw}: {message}");
        }
    }

    #[test]
    fn the_default_region_comes_from_the_locale_then_the_currency() {
        assert_eq!(default_region("en-GB", "EUR"), Some(Id::GB));
        assert_eq!(default_region("en", "USD"), Some(Id::US));
        assert_eq!(default_region("tr-TR", "TRY"), Some(Id::TR));
        assert_eq!(default_region("fr", "EUR"), None);
    }
}
