//! Demand series: parsing observations into validated, gap-free period vectors.
//!
//! A [`DemandSeries`] can only be built through constructors that check its input
//! (non-empty, finite, non-negative, strictly increasing dates), so everything
//! downstream may assume a clean, regular series.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::error::{ForecastError, Result};

/// Sampling frequency of a series. Each period is identified by an ordinal
/// (day number, week number, month number) so that gaps and calendar phases
/// (weekday, month of year) are plain integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
}

impl Frequency {
    /// Ordinal of the period containing `date`. Julian day 0 is a Monday, so
    /// weekly ordinals are ISO weeks (Monday to Sunday).
    pub fn ordinal(self, date: Date) -> i64 {
        let jd = i64::from(date.to_julian_day());
        match self {
            Frequency::Daily => jd,
            Frequency::Weekly => jd.div_euclid(7),
            Frequency::Monthly => {
                i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1
            }
        }
    }

    /// First day of the period with this ordinal.
    pub fn date_of(self, ordinal: i64) -> Option<Date> {
        let jd = match self {
            Frequency::Daily => ordinal,
            Frequency::Weekly => ordinal * 7,
            Frequency::Monthly => {
                let year = i32::try_from(ordinal.div_euclid(12)).ok()?;
                let month = Month::try_from(u8::try_from(ordinal.rem_euclid(12) + 1).ok()?).ok()?;
                return Date::from_calendar_date(year, month, 1).ok();
            }
        };
        Date::from_julian_day(i32::try_from(jd).ok()?).ok()
    }

    /// Average number of periods per month, used by the OpenLMIS-style rule.
    pub fn periods_per_month(self) -> f64 {
        match self {
            Frequency::Daily => 365.25 / 12.0,
            Frequency::Weekly => 365.25 / 12.0 / 7.0,
            Frequency::Monthly => 1.0,
        }
    }

    /// Guesses the frequency from the smallest gap between consecutive dates.
    pub fn infer(dates: &[Date]) -> Frequency {
        let min_gap = dates
            .windows(2)
            .map(|w| (w[1] - w[0]).whole_days())
            .filter(|d| *d > 0)
            .min()
            .unwrap_or(1);
        match min_gap {
            ..=6 => Frequency::Daily,
            7..=27 => Frequency::Weekly,
            _ => Frequency::Monthly,
        }
    }
}

/// One period's record as the pharmacy store will feed it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub date: Date,
    /// Quantity dispensed (observed sales).
    pub qty: f64,
    /// The item was out of stock for (part of) the period, so `qty` is censored.
    pub stockout: bool,
    /// Demand that was recorded but could not be served (owed, referred elsewhere).
    pub unmet: f64,
}

impl Observation {
    pub fn sale(date: Date, qty: f64) -> Self {
        Observation {
            date,
            qty,
            stockout: false,
            unmet: 0.0,
        }
    }
}

/// A validated, regular demand series. Periods without a record are zero sales.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandSeries {
    id: String,
    freq: Frequency,
    start: i64,
    sales: Vec<f64>,
    unmet: Vec<f64>,
    stockout: Vec<bool>,
}

impl DemandSeries {
    /// Builds a series from observations in date order.
    pub fn from_observations(
        id: impl Into<String>,
        freq: Frequency,
        observations: impl IntoIterator<Item = Observation>,
    ) -> Result<Self> {
        let id = id.into();
        let mut builder = Builder::new(id, freq);
        for obs in observations {
            builder.push(obs)?;
        }
        builder.finish()
    }

    /// Convenience constructor for plain sales vectors starting at `start`.
    pub fn from_values(
        id: impl Into<String>,
        freq: Frequency,
        start: Date,
        values: &[f64],
    ) -> Result<Self> {
        let first = freq.ordinal(start);
        let id = id.into();
        let obs = values
            .iter()
            .enumerate()
            .map(|(i, &q)| {
                freq.date_of(first + i as i64)
                    .map(|d| Observation::sale(d, q))
                    .ok_or_else(|| invalid_date(&id))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::from_observations(id, freq, obs)
    }

    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn frequency(&self) -> Frequency {
        self.freq
    }
    pub fn len(&self) -> usize {
        self.sales.len()
    }
    pub fn is_empty(&self) -> bool {
        self.sales.is_empty()
    }
    /// Ordinal of the first period.
    pub fn start_ordinal(&self) -> i64 {
        self.start
    }
    /// Ordinal one past the last period: the first forecast period.
    pub fn end_ordinal(&self) -> i64 {
        self.start + self.sales.len() as i64
    }
    pub fn sales(&self) -> &[f64] {
        &self.sales
    }
    pub fn unmet(&self) -> &[f64] {
        &self.unmet
    }
    pub fn stockout(&self) -> &[bool] {
        &self.stockout
    }
    pub fn first_date(&self) -> Option<Date> {
        self.freq.date_of(self.start)
    }

    /// Marks the periods on `dates` as out of stock (censored).
    pub fn mark_stockouts(&mut self, dates: &[Date]) {
        for d in dates {
            let i = self.freq.ordinal(*d) - self.start;
            if let Ok(i) = usize::try_from(i)
                && i < self.stockout.len()
            {
                self.stockout[i] = true;
            }
        }
    }

    /// Sums the censoring-corrected demand into a coarser frequency. Incomplete
    /// first and last periods are dropped: a half month would look like a dip.
    pub fn aggregate(&self, to: Frequency, season: usize) -> Result<DemandSeries> {
        if to == self.freq {
            return Ok(self.clone());
        }
        if self.freq != Frequency::Daily {
            return Err(ForecastError::InvalidParameter {
                name: "frequency",
                reason: "only daily series can be aggregated".into(),
            });
        }
        let demand = crate::censor::corrected_demand(self, season);
        let mut buckets: Vec<(i64, f64, usize)> = Vec::new();
        for (i, q) in demand.iter().enumerate() {
            let date = self
                .freq
                .date_of(self.start + i as i64)
                .ok_or_else(|| invalid_date(&self.id))?;
            let key = to.ordinal(date);
            match buckets.last_mut() {
                Some((k, sum, n)) if *k == key => {
                    *sum += q;
                    *n += 1;
                }
                _ => buckets.push((key, *q, 1)),
            }
        }
        let full = |key: i64, n: usize| -> bool {
            match (to.date_of(key), to.date_of(key + 1)) {
                (Some(a), Some(b)) => (b - a).whole_days() == n as i64,
                _ => false,
            }
        };
        let kept: Vec<(i64, f64)> = buckets
            .into_iter()
            .filter(|(k, _, n)| full(*k, *n))
            .map(|(k, s, _)| (k, s))
            .collect();
        let obs = kept
            .iter()
            .map(|(k, s)| {
                to.date_of(*k)
                    .map(|d| Observation::sale(d, *s))
                    .ok_or_else(|| invalid_date(&self.id))
            })
            .collect::<Result<Vec<_>>>()?;
        DemandSeries::from_observations(self.id.clone(), to, obs)
    }
}

fn invalid_date(id: &str) -> ForecastError {
    ForecastError::InvalidParameter {
        name: "date",
        reason: format!("series `{id}` runs outside the supported calendar"),
    }
}

/// Accumulates observations, filling gaps with zero sales.
struct Builder {
    id: String,
    freq: Frequency,
    start: Option<i64>,
    last: Option<Date>,
    sales: Vec<f64>,
    unmet: Vec<f64>,
    stockout: Vec<bool>,
}

impl Builder {
    fn new(id: String, freq: Frequency) -> Self {
        Builder {
            id,
            freq,
            start: None,
            last: None,
            sales: Vec::new(),
            unmet: Vec::new(),
            stockout: Vec::new(),
        }
    }

    fn push(&mut self, obs: Observation) -> Result<()> {
        self.check_quantity(obs.date, obs.qty)?;
        self.check_quantity(obs.date, obs.unmet)?;
        let ord = self.freq.ordinal(obs.date);
        let start = *self.start.get_or_insert(ord);
        if let Some(prev) = self.last
            && ord <= self.freq.ordinal(prev)
        {
            return Err(ForecastError::UnsortedDates {
                series_id: self.id.clone(),
                date: obs.date.to_string(),
                previous: prev.to_string(),
            });
        }
        let idx = usize::try_from(ord - start).map_err(|_| invalid_date(&self.id))?;
        self.sales.resize(idx, 0.0);
        self.unmet.resize(idx, 0.0);
        self.stockout.resize(idx, false);
        self.sales.push(obs.qty);
        self.unmet.push(obs.unmet);
        self.stockout.push(obs.stockout);
        self.last = Some(obs.date);
        Ok(())
    }

    fn check_quantity(&self, date: Date, qty: f64) -> Result<()> {
        if !qty.is_finite() {
            return Err(ForecastError::NonFinite {
                series_id: self.id.clone(),
                date: date.to_string(),
            });
        }
        if qty < 0.0 {
            return Err(ForecastError::NegativeQuantity {
                series_id: self.id.clone(),
                date: date.to_string(),
                qty,
            });
        }
        Ok(())
    }

    fn finish(self) -> Result<DemandSeries> {
        match self.start {
            Some(start) if !self.sales.is_empty() => Ok(DemandSeries {
                id: self.id,
                freq: self.freq,
                start,
                sales: self.sales,
                unmet: self.unmet,
                stockout: self.stockout,
            }),
            _ => Err(ForecastError::EmptySeries { series_id: self.id }),
        }
    }
}

/// Serialises an optional date as `YYYY-MM-DD` (the `time` default is a tuple).
pub fn serialize_date<S: serde::Serializer>(
    date: &Option<Date>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// Parses an ISO date (`YYYY-MM-DD`).
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// One parsed CSV row, before grouping.
struct Row {
    id: String,
    date: Date,
    value: f64,
}

fn read_rows(text: &str, source: &str, columns: usize) -> Result<Vec<Row>> {
    let err = |line: usize, reason: String| ForecastError::Csv {
        source_name: source.to_string(),
        line,
        reason,
    };
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != columns {
            return Err(err(
                line_no,
                format!("expected {columns} fields, found {}", fields.len()),
            ));
        }
        let date = parse_date(fields[1])
            .ok_or_else(|| err(line_no, format!("bad date `{}`", fields[1])))?;
        let value: f64 = fields[2]
            .trim()
            .parse()
            .map_err(|_| err(line_no, format!("bad quantity `{}`", fields[2])))?;
        rows.push(Row {
            id: fields[0].trim().to_string(),
            date,
            value,
        });
    }
    Ok(rows)
}

/// Parses long-format CSV text (`series_id,date,qty` with a header line) into
/// series, in order of first appearance. The frequency is inferred from the dates
/// unless given.
pub fn parse_long_csv(
    text: &str,
    source: &str,
    freq: Option<Frequency>,
) -> Result<Vec<DemandSeries>> {
    let rows = read_rows(text, source, 3)?;
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Observation>> = HashMap::new();
    for row in rows {
        let group = groups.entry(row.id.clone()).or_insert_with(|| {
            order.push(row.id.clone());
            Vec::new()
        });
        group.push(Observation::sale(row.date, row.value));
    }
    let freq = freq.unwrap_or_else(|| {
        let longest = groups.values().max_by_key(|g| g.len());
        let dates: Vec<Date> = longest
            .map(|g| g.iter().map(|o| o.date).collect())
            .unwrap_or_default();
        Frequency::infer(&dates)
    });
    order
        .into_iter()
        .map(|id| {
            let obs = groups.remove(&id).unwrap_or_default();
            DemandSeries::from_observations(id, freq, obs)
        })
        .collect()
}

/// Reads a long-format CSV file (see [`parse_long_csv`]).
pub fn read_long_csv(path: &Path, freq: Option<Frequency>) -> Result<Vec<DemandSeries>> {
    let text = read_text(path)?;
    parse_long_csv(&text, &path.display().to_string(), freq)
}

/// Reads `series_id,date,...` stock-out records and marks them on the series.
pub fn apply_stockout_csv(path: &Path, series: &mut [DemandSeries]) -> Result<usize> {
    let text = read_text(path)?;
    let rows = read_rows(&text, &path.display().to_string(), 3)?;
    let mut by_id: HashMap<&str, Vec<Date>> = HashMap::new();
    for row in &rows {
        by_id.entry(row.id.as_str()).or_default().push(row.date);
    }
    for s in series.iter_mut() {
        if let Some(dates) = by_id.get(s.id()) {
            s.mark_stockouts(dates);
        }
    }
    Ok(rows.len())
}

pub(crate) fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| ForecastError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn gaps_are_zero_sales_and_ordinals_round_trip() {
        let obs = [
            Observation::sale(date!(2024 - 01 - 01), 2.0),
            Observation::sale(date!(2024 - 01 - 04), 5.0),
        ];
        let s = DemandSeries::from_observations("a", Frequency::Daily, obs).unwrap();
        assert_eq!(s.sales(), &[2.0, 0.0, 0.0, 5.0]);
        assert_eq!(
            Frequency::Daily.date_of(s.start_ordinal()),
            Some(date!(2024 - 01 - 01))
        );
        let m = Frequency::Monthly.ordinal(date!(2024 - 03 - 15));
        assert_eq!(Frequency::Monthly.date_of(m), Some(date!(2024 - 03 - 01)));
        assert_eq!(
            Frequency::Weekly.date_of(Frequency::Weekly.ordinal(date!(2024 - 01 - 03))),
            Some(date!(2024 - 01 - 01))
        );
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let d = date!(2024 - 01 - 01);
        let e = DemandSeries::from_observations("e", Frequency::Daily, []).unwrap_err();
        assert!(matches!(e, ForecastError::EmptySeries { .. }));
        let e = DemandSeries::from_observations(
            "n",
            Frequency::Daily,
            [Observation::sale(d, f64::NAN)],
        )
        .unwrap_err();
        assert!(matches!(e, ForecastError::NonFinite { .. }));
        let e =
            DemandSeries::from_observations("g", Frequency::Daily, [Observation::sale(d, -1.0)])
                .unwrap_err();
        assert!(matches!(e, ForecastError::NegativeQuantity { .. }));
        let later = Observation::sale(date!(2024 - 01 - 05), 1.0);
        let e = DemandSeries::from_observations(
            "u",
            Frequency::Daily,
            [later, Observation::sale(d, 1.0)],
        )
        .unwrap_err();
        assert!(matches!(e, ForecastError::UnsortedDates { .. }));
        let e = parse_long_csv("series_id,date,qty\na,2024-01-01,x\n", "t", None).unwrap_err();
        assert!(matches!(e, ForecastError::Csv { line: 2, .. }));
    }

    #[test]
    fn csv_infers_monthly_and_groups_series() {
        let text =
            "series_id,date,qty\na,2024-01-01,1\na,2024-02-01,2\nb,2024-01-01,3\na,2024-04-01,4\n";
        let s = parse_long_csv(text, "t", None).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].frequency(), Frequency::Monthly);
        assert_eq!(s[0].sales(), &[1.0, 2.0, 0.0, 4.0]);
    }

    #[test]
    fn weekly_aggregation_drops_partial_weeks() {
        // 2024-01-03 is a Wednesday: the first partial week is dropped.
        let values: Vec<f64> = (0..19).map(|i| f64::from(i % 3)).collect();
        let s = DemandSeries::from_values("w", Frequency::Daily, date!(2024 - 01 - 03), &values)
            .unwrap();
        let w = s.aggregate(Frequency::Weekly, 7).unwrap();
        assert_eq!(w.first_date(), Some(date!(2024 - 01 - 08)));
        assert_eq!(w.len(), 2);
        let expect: f64 = values[5..12].iter().sum();
        assert!((w.sales()[0] - expect).abs() < 1e-12);
    }

    #[test]
    fn monthly_aggregation_sums_corrected_demand_of_whole_months() {
        // 2024-01-15 .. 2024-04-10: only February and March are whole.
        let start = date!(2024 - 01 - 15);
        let obs: Vec<Observation> = (0..87)
            .map(|i| Observation {
                date: start + time::Duration::days(i),
                qty: 1.0,
                stockout: false,
                unmet: if i == 20 { 2.0 } else { 0.0 },
            })
            .collect();
        let s = DemandSeries::from_observations("m", Frequency::Daily, obs).unwrap();
        let m = s.aggregate(Frequency::Monthly, 7).unwrap();
        assert_eq!(m.first_date(), Some(date!(2024 - 02 - 01)));
        // February 2024 has 29 days, the unmet 2 units fall on 2024-02-04.
        assert_eq!(m.sales(), &[31.0, 31.0]);
        assert!(s.aggregate(Frequency::Daily, 7).is_ok());
        assert!(
            m.aggregate(Frequency::Weekly, 7).is_err(),
            "monthly cannot be split into weeks"
        );
    }
}
