//! Any bytes as the body of `PUT …/program`: decoding and validation never panic, and the loyalty rules
//! never panic or overflow on any program that validation accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_core::rules::{program_problems, purchase_points, reward_eligibility, tier_standing};
use tally_core::ProgramUpdate;

fuzz_target!(|data: &[u8]| {
    let Ok(update) = serde_json::from_slice::<ProgramUpdate>(data) else {
        return;
    };
    if !program_problems(&update).is_empty() {
        return;
    }
    let rules = &update.rules;
    for metric in [i64::MIN, -1, 0, 1, 49_999, 50_000, i64::MAX] {
        let standing = tier_standing(&rules.tiers, metric);
        assert!((0.0..=1.0).contains(&standing.progress));
        let held = standing.current.map(|t| t.id.as_str());
        for reward in &rules.rewards {
            let _ = reward_eligibility(reward, metric, held, &rules.tiers);
        }
        for tier in &rules.tiers {
            assert!(purchase_points(metric, "USD", 1_000, tier.earn_multiplier) >= 0);
        }
    }
});
