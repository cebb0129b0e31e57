//! A strength whose unit wrapped onto the next row: a narrow drug cell
//! prints "Clindamycin Hydrochloride 150" and, under it, "mg caps".

use super::{Draft, Raw, TaggedLine, decided, wraps_under};
use crate::parse;
use crate::tagger::labels::{Role, Span};

/// Keeps the bare number that ends a drug's line (`drug_end` is where
/// the name ended) as the item's strength amount, when no strength was
/// read there: its unit may come on the next row.
pub(super) fn note_amount(line: &TaggedLine, drug_end: Option<usize>, drafts: &mut [Draft]) {
    let (Some(end), Some(d)) = (drug_end, drafts.last_mut()) else {
        return;
    };
    let rest = line.ocr.text.get(end..).unwrap_or("");
    let number = rest.trim();
    let bare = number.starts_with(|c: char| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && parse::Decimal::parse(number).is_some();
    if !bare || d.item.strength.value.is_some() {
        return;
    }
    let start = end + rest.len() - rest.trim_start().len();
    let span = Span {
        start,
        end: start + number.len(),
        role: Role::Strength,
    };
    d.amount = Some(Raw::new(line.ocr, &span, line.ocr.confidence));
}

/// Joins the head of `line` to the last item's strength amount when it
/// wraps under it and the two read as a strength ("150" / "mg caps"); a
/// dose form after the unit is the item's form. Returns where the text
/// it took ends.
pub(super) fn continue_strength(
    line: &TaggedLine,
    first_label: Option<usize>,
    spans: &[(Span, f32, bool)],
    drafts: &mut [Draft],
) -> Option<usize> {
    let text = &line.ocr.text;
    let head_end = first_label.unwrap_or(text.len());
    let d = drafts.last_mut()?;
    let amount = d.amount.as_ref()?;
    let free = !decided(spans, head_end, None) && d.item.strength.value.is_none();
    if !free || !wraps_under(amount.at, line.ocr) {
        return None;
    }
    let start = text.len() - text.trim_start().len();
    let unit_end = unit_end(&amount.text, &text[start..head_end])? + start;
    let unit = Span {
        start,
        end: unit_end,
        role: Role::Strength,
    };
    let amount = d.amount.take()?;
    d.item.strength = Default::default();
    d.fill(
        Role::Strength,
        amount.joined(Raw::new(line.ocr, &unit, line.ocr.confidence)),
    );
    let form = Span {
        start: unit_end,
        end: text[..head_end].trim_end().len(),
        role: Role::Form,
    };
    let is_form = form.end > form.start
        && parse::parse_dose_form(text[form.start..form.end].trim()).is_some();
    if !is_form {
        return Some(unit_end);
    }
    d.item.form = Default::default();
    d.fill(Role::Form, Raw::new(line.ocr, &form, line.ocr.confidence));
    Some(form.end)
}

/// Where, in `head`, the unit that completes `amount` as a strength ends.
fn unit_end(amount: &str, head: &str) -> Option<usize> {
    let joined = format!("{amount} {head}");
    let (_, end) = parse::leading_strength(&joined)?;
    end.checked_sub(amount.len() + 1).filter(|&e| e > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_completes_the_amount_above_it() {
        assert_eq!(unit_end("150", "mg caps"), Some(2));
        assert_eq!(unit_end("10", "mg/5 mL oral solution"), Some(7));
        assert_eq!(unit_end("108", "mcg/actuation MDI"), Some(13));
    }

    #[test]
    fn a_row_that_does_not_continue_the_amount_is_left() {
        assert_eq!(unit_end("2", "Take 1 tab daily"), None);
        assert_eq!(unit_end("2", "5 mg tabs"), None);
        assert_eq!(unit_end("2", ""), None);
    }
}
