//! The forecast chart: SVG drawn on the server with plotters, so the page
//! needs no script and the picture shows the same numbers as the table
//! beside it. Drawing is a pure function of its data; the page embeds the
//! result as markup of our own making.

use plotters::coord::Shift;
use plotters::prelude::*;
use time::{Date, Duration};

use crate::error::ApiError;

/// One day of dispensing history.
#[derive(Debug, Clone, Copy)]
pub struct HistoryDay {
    pub date: Date,
    pub units: f64,
    /// The shelf was empty at day's end: the demand seen is a floor.
    pub stockout: bool,
}

/// One forecast day: the mean and the central 90% and 95% ranges.
#[derive(Debug, Clone, Copy)]
pub struct ForecastDay {
    pub date: Date,
    pub mean: f64,
    pub lower_90: f64,
    pub upper_90: f64,
    pub lower_95: f64,
    pub upper_95: f64,
}

/// Everything the chart draws.
#[derive(Debug, Clone, Copy)]
pub struct ChartData<'a> {
    pub product: &'a str,
    pub history: &'a [HistoryDay],
    pub forecast: &'a [ForecastDay],
    pub reorder_point: f64,
    pub on_hand: f64,
}

#[derive(Debug, thiserror::Error)]
#[error("drawing the forecast chart: {0}")]
pub struct ChartError(String);

impl From<ChartError> for ApiError {
    fn from(e: ChartError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

fn failed(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

const WIDTH: u32 = 960;
const PLOT_HEIGHT: u32 = 420;
const LEGEND_HEIGHT: u32 = 72;
const FONT: &str = "sans-serif";

/// The forecast line's colour is used by that one polyline and nothing
/// else in the chart (its legend sample is a filled bar, not a line), which
/// is how [`mark_forecast`] finds it.
const FORECAST: RGBColor = RGBColor(0x0B, 0x5C, 0xAD);
const FORECAST_STROKE: &str = "stroke=\"#0B5CAD\"";
const HISTORY: RGBColor = RGBColor(0x1B, 0x1F, 0x24);
const STOCKOUT: RGBColor = RGBColor(0x8B, 0x0F, 0x2E);
const REORDER: RGBColor = RGBColor(0xB2, 0x3C, 0x17);
const ON_HAND: RGBColor = RGBColor(0x2F, 0x6B, 0x3A);
const GRID: RGBColor = RGBColor(0xE3, 0xE6, 0xEB);

/// Values beyond any pharmacy's stock: keeps the pixel arithmetic finite.
const LIMIT: f64 = 1e12;

/// The chart as a standalone `<svg>`: daily history, the forecast mean with
/// its 90% and 95% ranges, the reorder point and stock on hand, a legend,
/// and a title and description for screen readers. The forecast line has
/// `id="forecast-path"`.
pub fn forecast_svg(data: &ChartData<'_>) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, PLOT_HEIGHT + LEGEND_HEIGHT))
            .into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let (plot, legend) = root.split_vertically(PLOT_HEIGHT);
        draw_plot(&plot, data)?;
        draw_legend(&legend, data)?;
        root.present().map_err(failed)?;
    }
    Ok(accessible(&mark_forecast(&svg), data))
}

/// A finite value in a range the drawing can place.
fn clean(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(-LIMIT, LIMIT)
    } else {
        0.0
    }
}

/// Every value the chart places on the y axis.
fn values<'a>(data: &'a ChartData<'_>) -> impl Iterator<Item = f64> + 'a {
    let history = data.history.iter().map(|d| d.units);
    let forecast = data
        .forecast
        .iter()
        .flat_map(|d| [d.mean, d.lower_90, d.upper_90, d.lower_95, d.upper_95]);
    history
        .chain(forecast)
        .chain([data.reorder_point, data.on_hand])
        .map(clean)
}

/// The y range: from zero (or the lowest value) to a tenth above the
/// highest, never empty.
fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let top = if high > 0.0 { high * 1.1 } else { 1.0 };
    let bottom = if low < 0.0 { low * 1.1 } else { 0.0 };
    (bottom, top)
}

/// The first day drawn; days are placed as whole days after it.
fn origin(data: &ChartData<'_>) -> Option<Date> {
    let first = |d: Option<Date>, e: Option<Date>| match (d, e) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    first(
        data.history.first().map(|d| d.date),
        data.forecast.first().map(|d| d.date),
    )
}

fn day(origin: Option<Date>, date: Date) -> f64 {
    origin.map_or(0.0, |o| (date - o).whole_days() as f64)
}

/// The x range: every day drawn, and at least one.
fn x_range(data: &ChartData<'_>, origin: Option<Date>) -> (f64, f64) {
    let last = data
        .history
        .iter()
        .map(|d| d.date)
        .chain(data.forecast.iter().map(|d| d.date))
        .map(|d| day(origin, d))
        .fold(0.0_f64, f64::max);
    (0.0, last.max(1.0))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn date_label(origin: Option<Date>, x: f64) -> String {
    let Some(date) = origin.and_then(|o| o.checked_add(Duration::days(x.round() as i64))) else {
        return String::new();
    };
    let month = MONTHS[usize::from(u8::from(date.month())) - 1];
    format!("{} {month}", date.day())
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

fn draw_plot(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    data: &ChartData<'_>,
) -> Result<(), ChartError> {
    let origin = origin(data);
    let (x0, x1) = x_range(data, origin);
    let (y0, y1) = y_range(values(data));
    let mut chart = ChartBuilder::on(area)
        .caption(format!("Daily demand: {}", data.product), (FONT, 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(failed)?;
    let label = |x: &f64| date_label(origin, *x);
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(10)
        .x_label_formatter(&label)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("Date")
        .y_desc("Units per day")
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 13))
        .draw()
        .map_err(failed)?;
    draw_bands(&mut chart, data, origin)?;
    draw_history(&mut chart, data, origin)?;
    draw_forecast(&mut chart, data, origin)?;
    draw_levels(&mut chart, data, (x0, x1))
}

/// The ranges as shaded areas, the wider and paler one first.
fn draw_bands(
    chart: &mut Chart<'_, '_>,
    data: &ChartData<'_>,
    origin: Option<Date>,
) -> Result<(), ChartError> {
    if data.forecast.is_empty() {
        return Ok(());
    }
    let band = |low: fn(&ForecastDay) -> f64, high: fn(&ForecastDay) -> f64| {
        let upper = data
            .forecast
            .iter()
            .map(|d| (day(origin, d.date), clean(high(d))));
        let lower = data
            .forecast
            .iter()
            .rev()
            .map(|d| (day(origin, d.date), clean(low(d))));
        upper.chain(lower).collect::<Vec<_>>()
    };
    let wide = band(|d| d.lower_95, |d| d.upper_95);
    let narrow = band(|d| d.lower_90, |d| d.upper_90);
    chart
        .draw_series([Polygon::new(wide, FORECAST.mix(0.15).filled())])
        .map_err(failed)?;
    chart
        .draw_series([Polygon::new(narrow, FORECAST.mix(0.3).filled())])
        .map_err(failed)?;
    Ok(())
}

fn draw_history(
    chart: &mut Chart<'_, '_>,
    data: &ChartData<'_>,
    origin: Option<Date>,
) -> Result<(), ChartError> {
    let points = data
        .history
        .iter()
        .map(|d| (day(origin, d.date), clean(d.units)));
    chart
        .draw_series(LineSeries::new(points, HISTORY.stroke_width(1)))
        .map_err(failed)?;
    let empty = data.history.iter().filter(|d| d.stockout).map(|d| {
        Cross::new(
            (day(origin, d.date), clean(d.units)),
            4,
            STOCKOUT.stroke_width(2),
        )
    });
    chart.draw_series(empty).map_err(failed)?;
    Ok(())
}

fn draw_forecast(
    chart: &mut Chart<'_, '_>,
    data: &ChartData<'_>,
    origin: Option<Date>,
) -> Result<(), ChartError> {
    if data.forecast.is_empty() {
        return Ok(());
    }
    let mean = data
        .forecast
        .iter()
        .map(|d| (day(origin, d.date), clean(d.mean)));
    chart
        .draw_series(LineSeries::new(mean, FORECAST.stroke_width(3)))
        .map_err(failed)?;
    Ok(())
}

/// Reorder point (dashed) and stock on hand, across the whole chart.
fn draw_levels(
    chart: &mut Chart<'_, '_>,
    data: &ChartData<'_>,
    (x0, x1): (f64, f64),
) -> Result<(), ChartError> {
    let reorder = clean(data.reorder_point);
    chart
        .draw_series(DashedLineSeries::new(
            [(x0, reorder), (x1, reorder)],
            10,
            6,
            REORDER.stroke_width(2),
        ))
        .map_err(failed)?;
    let on_hand = clean(data.on_hand);
    chart
        .draw_series(LineSeries::new(
            [(x0, on_hand), (x1, on_hand)],
            ON_HAND.stroke_width(2),
        ))
        .map_err(failed)?;
    Ok(())
}

/// How one legend entry's sample is drawn.
#[derive(Clone, Copy)]
enum Sample {
    Bar(RGBColor, f64, i32),
    Dashes(RGBColor),
    Cross(RGBColor),
}

fn legend_entries(data: &ChartData<'_>) -> Vec<(Sample, String)> {
    let mut entries = vec![
        (
            Sample::Bar(HISTORY, 1.0, 2),
            "Dispensed per day".to_string(),
        ),
        (Sample::Bar(FORECAST, 1.0, 4), "Forecast (mean)".to_string()),
        (Sample::Bar(FORECAST, 0.3, 12), "90% range".to_string()),
        (Sample::Bar(FORECAST, 0.15, 12), "95% range".to_string()),
        (
            Sample::Dashes(REORDER),
            format!("Reorder point ({})", units(data.reorder_point)),
        ),
        (
            Sample::Bar(ON_HAND, 1.0, 3),
            format!("On hand ({})", units(data.on_hand)),
        ),
    ];
    if data.history.iter().any(|d| d.stockout) {
        entries.push((Sample::Cross(STOCKOUT), "Shelf empty that day".to_string()));
    }
    entries
}

fn units(x: f64) -> String {
    format!("{:.0}", clean(x))
}

/// The legend below the plot, four entries a row. Its samples are bars and
/// crosses, never polylines, so the forecast line stays the only one of
/// its colour.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    data: &ChartData<'_>,
) -> Result<(), ChartError> {
    const COLUMN: i32 = 230;
    const ROW: i32 = 28;
    for (i, (sample, label)) in legend_entries(data).into_iter().enumerate() {
        let i = i as i32;
        let (x, y) = (76 + (i % 4) * COLUMN, 14 + (i / 4) * ROW);
        draw_sample(area, sample, (x, y))?;
        area.draw(&Text::new(label, (x + 34, y - 8), (FONT, 14)))
            .map_err(failed)?;
    }
    Ok(())
}

fn draw_sample(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    sample: Sample,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    match sample {
        Sample::Bar(color, alpha, height) => {
            let half = height / 2;
            let rect = Rectangle::new(
                [(x, y - half), (x + 26, y - half + height)],
                color.mix(alpha).filled(),
            );
            area.draw(&rect).map_err(failed)
        }
        Sample::Dashes(color) => (0..3).try_for_each(|k| {
            let left = x + k * 10;
            area.draw(&Rectangle::new(
                [(left, y - 1), (left + 6, y + 1)],
                color.filled(),
            ))
            .map_err(failed)
        }),
        Sample::Cross(color) => area
            .draw(&Cross::new((x + 13, y), 4, color.stroke_width(2)))
            .map_err(failed),
    }
}

/// Gives the forecast line its id. plotters writes no ids, so the line is
/// found by its colour, which nothing else drawn uses (see [`FORECAST`]);
/// an id lets tests, styles and assistive tooling address the forecast.
fn mark_forecast(svg: &str) -> String {
    let mut start = 0;
    while let Some(found) = svg[start..].find("<polyline ") {
        let at = start + found;
        let end = svg[at..].find("/>").map_or(svg.len(), |e| at + e);
        if svg[at..end].contains(FORECAST_STROKE) {
            let tag = "<polyline ".len();
            return format!(
                "{}id=\"forecast-path\" {}",
                &svg[..at + tag],
                &svg[at + tag..]
            );
        }
        start = end;
    }
    svg.to_string()
}

/// Escapes text for SVG (XML) content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// What the chart says, in words, for those who cannot see it.
fn description(data: &ChartData<'_>) -> String {
    let total: f64 = data.forecast.iter().map(|d| clean(d.mean)).sum();
    format!(
        "Units dispensed per day over the last {} days, then a {}-day forecast \
         (about {} units in all) with its 90% and 95% ranges. Reorder point {}; on hand {}.",
        data.history.len(),
        data.forecast.len(),
        units(total),
        units(data.reorder_point),
        units(data.on_hand),
    )
}

/// Makes the SVG an image with a name and a description: `role="img"`, a
/// `<title>` and a `<desc>` it is labelled by. The product name is escaped
/// here; plotters escapes the text it draws itself.
fn accessible(svg: &str, data: &ChartData<'_>) -> String {
    let Some(open) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(close) = svg[open..].find('>').map(|c| open + c) else {
        return svg.to_string();
    };
    let title = escape(&format!("Demand forecast for {}", data.product));
    let desc = escape(&description(data));
    format!(
        "{} role=\"img\" aria-labelledby=\"chart-title\" aria-describedby=\"chart-desc\"{}>\n\
         <title id=\"chart-title\">{title}</title>\n<desc id=\"chart-desc\">{desc}</desc>{}",
        &svg[..open + "<svg".len()],
        &svg[open + "<svg".len()..close],
        &svg[close + 1..],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn history(n: usize) -> Vec<HistoryDay> {
        (0..n)
            .map(|i| HistoryDay {
                date: date!(2026 - 01 - 01) + Duration::days(i as i64),
                units: (i % 7) as f64,
                stockout: i % 30 == 29,
            })
            .collect()
    }

    fn forecast(n: usize) -> Vec<ForecastDay> {
        (0..n)
            .map(|i| ForecastDay {
                date: date!(2026 - 04 - 01) + Duration::days(i as i64),
                mean: 4.0,
                lower_90: 2.0,
                upper_90: 6.0,
                lower_95: 1.0,
                upper_95: 7.5,
            })
            .collect()
    }

    fn svg(product: &str, h: &[HistoryDay], f: &[ForecastDay]) -> String {
        let data = ChartData {
            product,
            history: h,
            forecast: f,
            reorder_point: 30.0,
            on_hand: 42.0,
        };
        match forecast_svg(&data) {
            Ok(svg) => svg,
            Err(e) => panic!("{e}"),
        }
    }

    fn forecast_points(svg: &str) -> usize {
        let Some(at) = svg.find("id=\"forecast-path\"") else {
            panic!("no forecast path in {svg}");
        };
        let tag = &svg[at..at + svg[at..].find("/>").unwrap_or(0)];
        let Some(points) = tag.split("points=\"").nth(1) else {
            panic!("no points in {tag}");
        };
        points
            .split('"')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .count()
    }

    #[test]
    fn the_forecast_line_has_its_id_and_one_point_a_day() {
        let svg = svg("Amoxicillin 500 mg", &history(90), &forecast(28));
        assert_eq!(svg.matches("id=\"forecast-path\"").count(), 1);
        assert_eq!(svg.matches(FORECAST_STROKE).count(), 1);
        assert_eq!(forecast_points(&svg), 28);
    }

    #[test]
    fn it_is_an_image_with_a_name_legend_and_levels() {
        let svg = svg("Amoxicillin 500 mg", &history(90), &forecast(28));
        assert!(svg.starts_with("<svg role=\"img\""));
        assert!(
            svg.contains(
                "<title id=\"chart-title\">Demand forecast for Amoxicillin 500 mg</title>"
            )
        );
        assert!(svg.contains("Reorder point (30)"));
        assert!(svg.contains("On hand (42)"));
        assert!(svg.contains("Shelf empty that day"));
        assert!(svg.contains("Units per day"));
        assert!(svg.contains("stroke=\"#B23C17\""), "reorder line");
        assert!(svg.contains("stroke=\"#2F6B3A\""), "on-hand line");
        assert_eq!(svg.matches("<polygon").count(), 2, "two shaded ranges");
    }

    #[test]
    fn product_names_are_escaped() {
        let svg = svg(
            "<script>alert('x')</script> & \"co\"",
            &history(3),
            &forecast(2),
        );
        assert!(!svg.contains("<script"));
        assert!(
            svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
    }

    #[test]
    fn empty_or_odd_input_still_draws() {
        let none = svg("Nothing", &[], &[]);
        assert!(none.contains("<svg role=\"img\""));
        assert!(!none.contains("forecast-path"));
        let only_forecast = svg("New product", &[], &forecast(1));
        assert_eq!(forecast_points(&only_forecast), 1);
        let mut odd = forecast(3);
        odd[0].mean = f64::NAN;
        odd[1].upper_95 = f64::INFINITY;
        odd[2].lower_95 = -5.0;
        let mut flat = history(2);
        flat[0].units = f64::NEG_INFINITY;
        assert_eq!(forecast_points(&svg("Odd", &flat, &odd)), 3);
    }

    #[test]
    fn the_y_range_holds_every_value() {
        // A small deterministic generator stands in for proptest, which this
        // crate does not depend on.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let n = (next() % 12) as usize;
            let values: Vec<f64> = (0..n)
                .map(|_| match next() % 8 {
                    0 => f64::NAN,
                    1 => f64::INFINITY,
                    2 => -((next() % 1000) as f64),
                    3 => 1e300,
                    _ => (next() % 100_000) as f64 / 7.0,
                })
                .map(clean)
                .collect();
            let (low, high) = y_range(values.iter().copied());
            assert!(low < high && low.is_finite() && high.is_finite());
            assert!(
                values.iter().all(|v| (low..=high).contains(v)),
                "{values:?}"
            );
        }
    }

    #[test]
    fn dates_label_the_x_axis() {
        let origin = Some(date!(2026 - 03 - 30));
        assert_eq!(date_label(origin, 0.0), "30 Mar");
        assert_eq!(date_label(origin, 3.4), "2 Apr");
        assert_eq!(date_label(None, 3.0), "");
    }
}
