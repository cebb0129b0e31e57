use proptest::prelude::*;

use super::*;

fn sig(input: &str) -> Sig {
    parse_sig(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

/// Parses `input` as written, upper-cased and lower-cased.
fn every_case(input: &str) -> Vec<Sig> {
    [
        input.to_string(),
        input.to_uppercase(),
        input.to_lowercase(),
    ]
    .iter()
    .map(|s| sig(s))
    .collect()
}

fn dose(value: f64, unit: DoseUnit) -> Option<Dose> {
    Dose::new(Some(value), None, unit)
}

fn code(input: &str) -> FrequencyCode {
    let parsed = every_case(input);
    assert!(
        parsed.windows(2).all(|w| w[0] == w[1]),
        "{input}: case changes the result"
    );
    parsed[0].frequency().unwrap()
}

#[test]
fn full_english_sentence() {
    let parsed = sig("Take 1 tablet by mouth twice daily");
    assert_eq!(parsed.dose, dose(1.0, DoseUnit::Tablet));
    assert_eq!(parsed.route, Some(Route::Oral));
    assert_eq!(parsed.frequency().unwrap(), FrequencyCode::Bid);
    assert_eq!(
        (
            parsed.timing.as_ref().unwrap().frequency(),
            parsed.timing.as_ref().unwrap().period()
        ),
        (2, 1.0)
    );
    assert_eq!(parsed.timing.as_ref().unwrap().period_unit(), PeriodUnit::D);
    assert!(!parsed.as_needed);
    assert!(parsed.flags.is_empty());
}

#[test]
fn latin_shorthand() {
    for parsed in every_case("i tab po bid") {
        assert_eq!(parsed.dose, dose(1.0, DoseUnit::Tablet));
        assert_eq!(parsed.route, Some(Route::Oral));
        assert_eq!(parsed.frequency().unwrap(), FrequencyCode::Bid);
    }
    for parsed in every_case("ii caps p.o. t.i.d. x7d") {
        assert_eq!(parsed.dose, dose(2.0, DoseUnit::Capsule));
        assert_eq!(parsed.frequency().unwrap(), FrequencyCode::Tid);
        assert_eq!(parsed.duration_days, Some(7));
    }
}

#[test]
fn once_daily_forms() {
    assert_eq!(code("1 tab po qd"), FrequencyCode::Qd);
    assert_eq!(code("1 tab po q.d."), FrequencyCode::Qd);
    assert_eq!(code("1 tab po od"), FrequencyCode::Qd);
    assert_eq!(code("1 tab po q24h"), FrequencyCode::Qd);
    assert_eq!(code("1 tab po daily"), FrequencyCode::Qd);
    let codes: Vec<_> = sig("1 tab po qd").flags.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["ISMP_QD"]);
    let codes: Vec<_> = sig("1 tab po od").flags.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["ISMP_OD"]);
    assert_eq!(sig("1 tab po od").side, None);
}

#[test]
fn several_times_daily() {
    assert_eq!(code("1 tab po bis in die"), FrequencyCode::Bid);
    assert_eq!(code("1 tab po ter in die"), FrequencyCode::Tid);
    assert_eq!(code("1 tab po quater in die"), FrequencyCode::Qid);
    assert_eq!(code("1 tab po qid"), FrequencyCode::Qid);
    assert_eq!(code("1 tab 2x daily"), FrequencyCode::Bid);
    assert_eq!(code("1 tab 3x/day"), FrequencyCode::Tid);
    assert_eq!(code("1 tab three times a day"), FrequencyCode::Tid);
}

#[test]
fn hourly_intervals() {
    for input in [
        "1 tab q4h",
        "1 tab q 4 h",
        "1 tab q.4.h.",
        "1 tab every 4 hours",
    ] {
        assert_eq!(code(input), FrequencyCode::EveryHours(4), "{input}");
    }
    assert_eq!(code("1 tab q6h"), FrequencyCode::EveryHours(6));
    assert_eq!(code("1 tab q8h"), FrequencyCode::EveryHours(8));
    assert_eq!(code("1 tab q12h"), FrequencyCode::EveryHours(12));
}

#[test]
fn hourly_ranges() {
    for input in [
        "1 tab q4-6h",
        "1 tab q 4-6 h",
        "1 tab q4-6 hrs",
        "1 tab every 4 to 6 hours",
        "1 tab every 4-6 hours",
    ] {
        assert_eq!(code(input), FrequencyCode::EveryHoursRange(4, 6), "{input}");
    }
    let timing = sig("1 tab q4-6h").timing.unwrap();
    assert_eq!(
        (timing.period(), timing.period_max(), timing.period_unit()),
        (4.0, Some(6.0), PeriodUnit::H)
    );
}

#[test]
fn times_of_day() {
    for input in [
        "1 tab qHS",
        "1 tab hs",
        "1 tab h.s.",
        "1 tab nocte",
        "1 tab at bedtime",
        "1 tab po daily at bedtime",
    ] {
        assert_eq!(code(input), FrequencyCode::Qhs, "{input}");
        assert_eq!(
            sig(input).timing.as_ref().unwrap().when(),
            [When::Hs],
            "{input}"
        );
    }
    for input in [
        "1 tab qAM",
        "1 tab mane",
        "1 tab in the morning",
        "1 tab daily in the morning",
    ] {
        assert_eq!(code(input), FrequencyCode::Qam, "{input}");
    }
    for input in ["1 tab qPM", "1 tab every evening"] {
        assert_eq!(code(input), FrequencyCode::Qpm, "{input}");
    }
    let both = sig("1 tab in the morning and at bedtime");
    assert_eq!(both.frequency().unwrap(), FrequencyCode::Bid);
    assert_eq!(both.timing.as_ref().unwrap().when(), [When::Morn, When::Hs]);
}

#[test]
fn every_other_day_and_weekly() {
    assert_eq!(code("1 tab every other day"), FrequencyCode::Qod);
    assert_eq!(code("1 tab q48h"), FrequencyCode::Qod);
    for input in [
        "1 tab once weekly",
        "1 tab q week",
        "1 tab qwk",
        "1 tab 1x/week",
    ] {
        assert_eq!(code(input), FrequencyCode::Qwk, "{input}");
    }
    let weekly = sig("Take one tab by mouth once weekly");
    assert_eq!(weekly.dose, dose(1.0, DoseUnit::Tablet));
    assert_eq!(weekly.route, Some(Route::Oral));
    assert_eq!(
        (
            weekly.timing.as_ref().unwrap().frequency(),
            weekly.timing.as_ref().unwrap().period_unit()
        ),
        (1, PeriodUnit::Wk)
    );
}

#[test]
fn as_needed() {
    let plain = sig("1 tab q6h prn");
    assert!(plain.as_needed);
    assert_eq!(plain.prn_reason, None);
    for input in [
        "1 tab q6h p.r.n. pain",
        "1 tab q6h as needed for pain",
        "1 tab q6h PRN Pain",
    ] {
        let parsed = sig(input);
        assert!(parsed.as_needed, "{input}");
        assert_eq!(parsed.prn_reason.as_deref(), Some("pain"), "{input}");
    }
}

#[test]
fn meals() {
    let before = sig("1 tab tid ac");
    assert_eq!(before.meal, Some(Meal::BeforeMeals));
    assert_eq!(before.timing.as_ref().unwrap().when(), [When::Ac]);
    assert_eq!(sig("1 tab tid a.c.").meal, Some(Meal::BeforeMeals));
    assert_eq!(sig("1 tab tid pc").meal, Some(Meal::AfterMeals));
    assert_eq!(
        sig("1 tab tid p.c.").timing.as_ref().unwrap().when(),
        [When::Pc]
    );
    let with_food = sig("1 tab bid with food");
    assert_eq!(with_food.meal, Some(Meal::WithFood));
    assert_eq!(with_food.timing.as_ref().unwrap().when(), [When::C]);
}

#[test]
fn durations() {
    let cases = [
        ("1 tab bid x7d", 7),
        ("1 tab bid x 7 days", 7),
        ("1 tab bid for 5/7", 5),
        ("1 tab bid x 10/7", 10),
        ("1 tab bid for 2 weeks", 14),
        ("1 tab bid x2 wks", 14),
        ("1 tab bid for 1 month", 30),
        ("1 tab bid for ten days", 10),
    ];
    for (input, days) in cases {
        for parsed in every_case(input) {
            assert_eq!(parsed.duration_days, Some(days), "{input}");
        }
    }
}

#[test]
fn fractional_and_liquid_doses() {
    let cases = [
        ("1/2 tab po daily", 0.5, DoseUnit::Tablet),
        ("one-half tablet po daily", 0.5, DoseUnit::Tablet),
        ("half a tablet po daily", 0.5, DoseUnit::Tablet),
        ("ss tab po daily", 0.5, DoseUnit::Tablet),
        ("1 1/2 tabs po daily", 1.5, DoseUnit::Tablet),
        ("5 mL po daily", 5.0, DoseUnit::Ml),
        ("2 tsp po daily", 10.0, DoseUnit::Ml),
        ("1 tbsp po daily", 15.0, DoseUnit::Ml),
        ("1/2 tsp po daily", 2.5, DoseUnit::Ml),
    ];
    for (input, value, unit) in cases {
        for parsed in every_case(input) {
            assert_eq!(parsed.dose, dose(value, unit), "{input}");
        }
    }
    let codes: Vec<_> = sig("ss tab po daily")
        .flags
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(codes, ["ISMP_SS"]);
    let range = sig("1-2 tabs po q4-6h prn pain").dose;
    assert_eq!(range, Dose::new(Some(1.0), Some(2.0), DoseUnit::Tablet));
}

#[test]
fn eye_drops() {
    let both = sig("1 gtt OU qid");
    assert_eq!(both.dose, dose(1.0, DoseUnit::Drop));
    assert_eq!(
        (both.route, both.side),
        (Some(Route::Ophthalmic), Some(Side::Both))
    );
    assert_eq!(both.frequency().unwrap(), FrequencyCode::Qid);
    let right = sig("2 gtts OD bid");
    assert_eq!(
        (right.route, right.side),
        (Some(Route::Ophthalmic), Some(Side::Right))
    );
    assert_eq!(right.frequency().unwrap(), FrequencyCode::Bid);
    let sentence = sig("Instill 1 drop in both eyes twice daily");
    assert_eq!(
        (sentence.route, sentence.side),
        (Some(Route::Ophthalmic), Some(Side::Both))
    );
    let restated = sig("Instill 1 drop in right eye (OD) daily");
    assert_eq!(restated.side, Some(Side::Right));
    assert_eq!(restated.frequency().unwrap(), FrequencyCode::Qd);
    assert_eq!(sig("2 gtts o.s. tid").side, Some(Side::Left));
}

#[test]
fn inhalers() {
    let sentence = sig("Inhale 2 puffs by inhalation every 4 to 6 hours as needed");
    assert_eq!(sentence.dose, dose(2.0, DoseUnit::Puff));
    assert_eq!(sentence.route, Some(Route::Inhalation));
    assert_eq!(
        sentence.frequency().unwrap(),
        FrequencyCode::EveryHoursRange(4, 6)
    );
    assert!(sentence.as_needed);
    let shorthand = sig("2 puffs via MDI q4-6h prn wheezing");
    assert_eq!(shorthand.route, Some(Route::Inhalation));
    assert_eq!(
        shorthand.frequency().unwrap(),
        FrequencyCode::EveryHoursRange(4, 6)
    );
    assert_eq!(shorthand.prn_reason.as_deref(), Some("wheezing"));
}

#[test]
fn topical_thin_layer() {
    let parsed = sig("Apply a thin layer to affected area twice daily");
    assert_eq!(parsed.dose, Dose::new(None, None, DoseUnit::Application));
    assert_eq!(parsed.route, Some(Route::Topical));
    assert_eq!(parsed.frequency().unwrap(), FrequencyCode::Bid);
}

#[test]
fn route_before_dose() {
    let parsed = sig("po 1 tab bid");
    assert_eq!(parsed.dose, dose(1.0, DoseUnit::Tablet));
    assert_eq!(parsed.route, Some(Route::Oral));
    assert_eq!(parsed.frequency().unwrap(), FrequencyCode::Bid);
}

#[test]
fn restated_dose_is_not_a_conflict() {
    let parsed = sig("Take 1 tablet (10 mg) by mouth daily");
    assert_eq!(parsed.dose, dose(1.0, DoseUnit::Tablet));
    let max = sig("1-2 tabs po q4-6h prn pain, max 8 tabs/day");
    assert_eq!(max.max_per_day, dose(8.0, DoseUnit::Tablet));
    assert_eq!(max.prn_reason.as_deref(), Some("pain"));
}

#[test]
fn as_needed_use_bounded_only_by_a_daily_maximum_has_no_schedule() {
    let parsed = sig("Use 1 spray in each nostril as needed, max 2 sprays/day");
    assert_eq!(parsed.timing, None);
    assert!(parsed.as_needed);
    assert_eq!(parsed.max_per_day, dose(2.0, DoseUnit::Spray));
    let label = parsed.plain_english();
    assert_eq!(
        label,
        "Use 1 spray in each nostril as needed; do not use more than 2 sprays per day"
    );
    assert_eq!(sig(&label), parsed, "the label reads back the same");
    assert_eq!(
        parse_sig("1 spray each nostril prn"),
        Err(SigError::NoFrequency),
        "unbounded"
    );
    assert_eq!(
        parse_sig("1 tab po, max 2 tabs/day"),
        Err(SigError::NoFrequency),
        "not as needed: the schedule is missing"
    );
}

#[test]
fn errors() {
    assert_eq!(parse_sig(""), Err(SigError::Empty));
    assert_eq!(parse_sig("  \n"), Err(SigError::Empty));
    assert_eq!(parse_sig("Take as directed"), Err(SigError::NoFrequency));
    assert_eq!(
        parse_sig("1-2 tabs po prn pain"),
        Err(SigError::NoFrequency)
    );
    assert_eq!(
        parse_sig("2 tabs today then 1 tab daily"),
        Err(SigError::MultiStep)
    );
    assert_eq!(
        parse_sig("1 tab in am and 2 tabs qhs"),
        Err(SigError::Conflict("doses"))
    );
    assert_eq!(
        parse_sig("1 tab bid tid"),
        Err(SigError::Conflict("frequencies"))
    );
    assert_eq!(
        parse_sig("1 tab po max 8 tabs bid"),
        Err(SigError::Conflict("doses"))
    );
    assert_eq!(
        parse_sig("2 gtts OU OD bid"),
        Err(SigError::Conflict("routes"))
    );
    assert_eq!(parse_sig("od"), Err(SigError::Ambiguous("OD")));
    assert_eq!(parse_sig("1 tab os bid"), Err(SigError::Ambiguous("OS")));
    assert!(matches!(
        parse_sig("1 tab 5 times daily"),
        Err(SigError::UnsupportedFrequency(_))
    ));
    assert!(matches!(
        parse_sig("1 tab daily x 0 days"),
        Err(SigError::InvalidDuration(_))
    ));
}

#[test]
fn plain_english_labels() {
    let label = |input: &str| sig(input).plain_english();
    assert_eq!(
        label("1 tab po bid x7d prn pain"),
        "Take 1 tablet by mouth twice daily for 7 days as needed for pain"
    );
    assert_eq!(
        label("ii caps po tid"),
        "Take 2 capsules by mouth three times daily"
    );
    assert_eq!(
        label("1/2 tab po qhs"),
        "Take 1/2 tablet by mouth at bedtime"
    );
    assert_eq!(
        label("1 1/2 tabs po daily with food"),
        "Take 1 1/2 tablets by mouth once daily with food"
    );
    assert_eq!(
        label("1/2 tsp po q6h"),
        "Take 2.5 mL by mouth every 6 hours"
    );
    assert_eq!(
        label("1 gtt OU qid"),
        "Instill 1 drop in both eyes four times daily"
    );
    assert_eq!(
        label("2 sprays in each nostril once daily"),
        "Use 2 sprays in each nostril once daily"
    );
    assert_eq!(
        label("instill 3 drops in the right ear twice daily"),
        "Instill 3 drops in the right ear twice daily"
    );
    assert_eq!(
        label("2 puffs via MDI q4-6h prn wheezing"),
        "Inhale 2 puffs by inhalation every 4 to 6 hours as needed for wheezing"
    );
    assert_eq!(
        label("Apply a thin layer to affected area twice daily"),
        "Apply a thin layer to the affected area twice daily"
    );
    assert_eq!(
        label("10 units SC qhs"),
        "Inject 10 units under the skin at bedtime"
    );
    assert_eq!(
        label("1 tab in the morning and at bedtime"),
        "Take 1 tablet twice daily in the morning and at bedtime"
    );
    assert_eq!(
        label("1-2 tabs po q4-6h prn pain max 8 tabs/day"),
        "Take 1-2 tablets by mouth every 4 to 6 hours as needed for pain; do not use more than 8 tablets per day"
    );
}

#[test]
fn serialises_with_codes() -> Result<(), serde_json::Error> {
    let json = serde_json::to_value(sig("1 gtt OU q4-6h prn itching x 5 days"))?;
    let expected = serde_json::json!({
        "dose": { "value": 1.0, "high": null, "unit": "drop" },
        "route": "ophthalmic",
        "side": "both",
        "timing": {
            "code": "Q4-6H", "frequency": 1, "period": 4.0, "period_max": 6.0,
            "period_unit": "h", "when": []
        },
        "as_needed": true,
        "prn_reason": "itching",
        "meal": null,
        "duration_days": 5,
        "max_per_day": null,
        "flags": []
    });
    assert_eq!(json, expected);
    Ok(())
}

fn arb_frequency() -> impl Strategy<Value = (&'static str, FrequencyCode)> {
    prop::sample::select(vec![
        ("daily", FrequencyCode::Qd),
        ("bid", FrequencyCode::Bid),
        ("twice a day", FrequencyCode::Bid),
        ("tid", FrequencyCode::Tid),
        ("qid", FrequencyCode::Qid),
        ("q6h", FrequencyCode::EveryHours(6)),
        ("every 8 hours", FrequencyCode::EveryHours(8)),
        ("q4-6h", FrequencyCode::EveryHoursRange(4, 6)),
        ("at bedtime", FrequencyCode::Qhs),
        ("every other day", FrequencyCode::Qod),
        ("once weekly", FrequencyCode::Qwk),
    ])
}

fn arb_unit() -> impl Strategy<Value = (&'static str, DoseUnit)> {
    prop::sample::select(vec![
        ("tab", DoseUnit::Tablet),
        ("capsules", DoseUnit::Capsule),
        ("mL", DoseUnit::Ml),
        ("puffs", DoseUnit::Puff),
        ("units", DoseUnit::Unit),
    ])
}

proptest! {
    #[test]
    fn generated_directions_parse_back(
        count in 1u32..20,
        (unit_text, unit) in arb_unit(),
        (freq_text, freq) in arb_frequency(),
        days in prop::option::of(1u32..90),
        prn in any::<bool>(),
    ) {
        let duration = days.map(|d| format!(" x {d} days")).unwrap_or_default();
        let prn_text = if prn { " prn" } else { "" };
        let input = format!("Take {count} {unit_text} {freq_text}{duration}{prn_text}");
        let parsed = parse_sig(&input);
        prop_assert!(parsed.is_ok(), "{}: {:?}", input, parsed);
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.dose, dose(f64::from(count), unit));
        prop_assert_eq!(parsed.frequency().unwrap(), freq);
        prop_assert_eq!(parsed.duration_days, days);
        prop_assert_eq!(parsed.as_needed, prn);
        let label = parsed.plain_english();
        let reparsed = parse_sig(&label);
        prop_assert!(reparsed.as_ref().is_ok_and(|r| r.frequency() == Some(freq)), "{}: {:?}", label, reparsed);
    }

    #[test]
    fn never_panics(input in "\\PC{0,80}") {
        let _ = parse_sig(&input);
    }

    #[test]
    fn never_panics_on_sig_like_noise(words in prop::collection::vec(prop::sample::select(vec![
        "1", "2", ".5", "1/2", "-", "/", "x", "q", "4", "6", "h", "tab", "gtt", "po", "od", "os", "ou", "prn",
        "for", "pain", "bid", "qhs", "ss", "99999999999999999999", "mg", "max", "day", "to", "every", "(", ")",
    ]), 0..20)) {
        let _ = parse_sig(&words.join(" "));
        let _ = parse_sig(&words.concat());
    }
}

#[test]
fn huge_numbers_do_not_panic() {
    assert!(parse_sig("99999999999999999999 mg po daily").is_ok());
    assert!(matches!(
        parse_sig("1 tab q99999999999999999999h"),
        Err(SigError::NoFrequency)
    ));
    assert!(parse_sig(&"prn ".repeat(10_000)).is_err());
}

#[test]
fn grams_before_a_frequency_stay_the_dose() {
    let cases = [
        ("Take 2 g daily", 2.0, FrequencyCode::Qd),
        ("Apply 1 g q6h", 1.0, FrequencyCode::EveryHours(6)),
        ("2 g bid", 2.0, FrequencyCode::Bid),
    ];
    for (input, amount, frequency) in cases {
        let parsed = sig(input);
        assert_eq!(parsed.dose, dose(amount, DoseUnit::G), "{input}");
        assert_eq!(parsed.frequency().unwrap(), frequency, "{input}");
    }
}
