//! Plain-English label text for a `Sig`.

use super::{Dose, DoseUnit, FrequencyCode, Meal, Sig, When};
use crate::parse::form_route::{Route, Side};

impl Sig {
    /// A label instruction, e.g. "Take 1 tablet by mouth twice daily for 7
    /// days as needed for pain".
    pub fn plain_english(&self) -> String {
        let mut parts = vec![verb(self).to_string()];
        parts.extend(self.dose.map(|d| dose_text(&d)));
        parts.extend(self.route.map(|r| route_text(r, self.side).to_string()));
        parts.extend(self.frequency().map(timing_text));
        // "four times daily before meals and at bedtime"
        let events: Vec<String> = self
            .meal
            .map(|m| meal_text(m).to_string())
            .into_iter()
            .chain(extra_times(self))
            .collect();
        if !events.is_empty() {
            parts.push(events.join(" and "));
        }
        parts.extend(
            self.duration_days
                .map(|d| format!("for {d} {}", if d == 1 { "day" } else { "days" })),
        );
        if self.as_needed {
            parts.push(match &self.prn_reason {
                Some(reason) => format!("as needed for {reason}"),
                None => "as needed".to_string(),
            });
        }
        let mut text = parts.join(" ");
        if let Some(max) = self.max_per_day {
            text.push_str(&format!(
                "; do not use more than {} per day",
                dose_text(&max)
            ));
        }
        text
    }
}

fn verb(sig: &Sig) -> &'static str {
    let unit = sig.dose.map(|d| d.unit());
    match (unit, sig.route) {
        (Some(DoseUnit::Drop), _) | (_, Some(Route::Ophthalmic | Route::Otic)) => "Instill",
        (Some(DoseUnit::Puff), _) | (_, Some(Route::Inhalation)) => "Inhale",
        (Some(DoseUnit::Application | DoseUnit::Patch), _)
        | (_, Some(Route::Topical | Route::Transdermal)) => "Apply",
        (Some(DoseUnit::Suppository), _) | (_, Some(Route::Rectal | Route::Vaginal)) => "Insert",
        (_, Some(Route::Subcutaneous | Route::Intramuscular | Route::Intravenous)) => "Inject",
        (Some(DoseUnit::Spray), _) | (_, Some(Route::Nasal)) => "Use",
        _ => "Take",
    }
}

fn dose_text(dose: &Dose) -> String {
    let unit = dose.unit();
    let Some(value) = dose.value() else {
        return "a thin layer".to_string();
    };
    let amount = match dose.high() {
        Some(high) => format!("{}-{}", number(value, unit), number(high, unit)),
        None => number(value, unit),
    };
    let plural = dose.high().unwrap_or(value) > 1.0;
    format!("{amount} {}", unit_name(unit, plural))
}

/// Halves and quarters of countable things as fractions ("1 1/2").
fn number(value: f64, unit: DoseUnit) -> String {
    let whole = value.trunc();
    let fraction = [(0.25, "1/4"), (0.5, "1/2"), (0.75, "3/4")]
        .iter()
        .find(|(f, _)| value - whole == *f)
        .map(|(_, text)| *text);
    match (fraction, unit.is_countable()) {
        (Some(fraction), true) if whole == 0.0 => fraction.to_string(),
        (Some(fraction), true) => format!("{whole} {fraction}"),
        _ => value.to_string(),
    }
}

fn unit_name(unit: DoseUnit, plural: bool) -> &'static str {
    if !(plural && unit.is_countable()) {
        return unit.as_str();
    }
    match unit {
        DoseUnit::Tablet => "tablets",
        DoseUnit::Capsule => "capsules",
        DoseUnit::Drop => "drops",
        DoseUnit::Puff => "puffs",
        DoseUnit::Spray => "sprays",
        DoseUnit::Application => "applications",
        DoseUnit::Unit => "units",
        DoseUnit::Patch => "patches",
        DoseUnit::Suppository => "suppositories",
        DoseUnit::Lozenge => "lozenges",
        DoseUnit::Packet => "packets",
        other => other.as_str(),
    }
}

fn route_text(route: Route, side: Option<Side>) -> &'static str {
    match (route, side) {
        (Route::Oral, _) => "by mouth",
        (Route::Sublingual, _) => "under the tongue",
        (Route::Buccal, _) => "between the cheek and gum",
        (Route::Topical, _) => "to the affected area",
        (Route::Ophthalmic, Some(Side::Both)) => "in both eyes",
        (Route::Ophthalmic, Some(Side::Right)) => "in the right eye",
        (Route::Ophthalmic, Some(Side::Left)) => "in the left eye",
        (Route::Ophthalmic, None) => "in the affected eye",
        (Route::Otic, Some(Side::Both)) => "in both ears",
        (Route::Otic, Some(Side::Right)) => "in the right ear",
        (Route::Otic, Some(Side::Left)) => "in the left ear",
        (Route::Otic, None) => "in the affected ear",
        (Route::Nasal, Some(Side::Both)) => "in each nostril",
        (Route::Nasal, _) => "in the nose",
        (Route::Inhalation, _) => "by inhalation",
        (Route::Rectal, _) => "rectally",
        (Route::Vaginal, _) => "vaginally",
        (Route::Subcutaneous, _) => "under the skin",
        (Route::Intramuscular, _) => "into the muscle",
        (Route::Intravenous, _) => "intravenously",
        (Route::Transdermal, _) => "to the skin",
    }
}

fn timing_text(code: FrequencyCode) -> String {
    match code {
        FrequencyCode::Qd => "once daily".into(),
        FrequencyCode::Bid => "twice daily".into(),
        FrequencyCode::Tid => "three times daily".into(),
        FrequencyCode::Qid => "four times daily".into(),
        FrequencyCode::EveryHours(1) => "every hour".into(),
        FrequencyCode::EveryHours(h) => format!("every {h} hours"),
        FrequencyCode::EveryHoursRange(a, b) => format!("every {a} to {b} hours"),
        FrequencyCode::Qhs => "at bedtime".into(),
        FrequencyCode::Qam => "in the morning".into(),
        FrequencyCode::Qpm => "in the evening".into(),
        FrequencyCode::Qod => "every other day".into(),
        FrequencyCode::Qwk => "once weekly".into(),
    }
}

/// Times of day beyond what the code says ("twice daily in the morning
/// and at bedtime").
fn extra_times(sig: &Sig) -> Option<String> {
    let timing = sig.timing.as_ref()?;
    let code = timing.code();
    let times: Vec<&str> = timing
        .when()
        .iter()
        .filter_map(|w| match w {
            When::Morn if code != FrequencyCode::Qam => Some("in the morning"),
            When::Eve if code != FrequencyCode::Qpm => Some("in the evening"),
            When::Hs if code != FrequencyCode::Qhs => Some("at bedtime"),
            _ => None,
        })
        .collect();
    (!times.is_empty()).then(|| times.join(" and "))
}

fn meal_text(meal: Meal) -> &'static str {
    match meal {
        Meal::BeforeMeals => "before meals",
        Meal::AfterMeals => "after meals",
        Meal::WithFood => "with food",
    }
}
