//! Local (per-series) forecasting methods behind one enum, plus the pooled
//! elastic net. A [`Fit`] holds parameters only, so the same fit can be replayed
//! on any prefix of its history: that is how the backtest stays cheap.

pub mod adida;
pub mod croston;
pub mod elastic;
pub mod ets;
pub mod imapa;
pub mod naive;
pub mod smoothing;
pub mod tsb;

use serde::{Deserialize, Serialize};

use crate::error::{ForecastError, Result};
use ets::EtsFit;
use tsb::TsbParams;

/// Every forecasting method, by its report name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Naive,
    SeasonalNaive,
    WindowAverage,
    Ses,
    Holt,
    DampedHolt,
    /// AICc choice among the ETS forms.
    Ets,
    Croston,
    Sba,
    Tsb,
    Adida,
    Imapa,
    /// Pooled elastic net across series (see [`elastic`]).
    ElasticNet,
}

impl Method {
    pub const ALL: [Method; 13] = [
        Method::Naive,
        Method::SeasonalNaive,
        Method::WindowAverage,
        Method::Ses,
        Method::Holt,
        Method::DampedHolt,
        Method::Ets,
        Method::Croston,
        Method::Sba,
        Method::Tsb,
        Method::Adida,
        Method::Imapa,
        Method::ElasticNet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::SeasonalNaive => "seasonal_naive",
            Method::WindowAverage => "window_average",
            Method::Ses => "ses",
            Method::Holt => "holt",
            Method::DampedHolt => "damped_holt",
            Method::Ets => "ets",
            Method::Croston => "croston",
            Method::Sba => "sba",
            Method::Tsb => "tsb",
            Method::Adida => "adida",
            Method::Imapa => "imapa",
            Method::ElasticNet => "elastic_net",
        }
    }

    pub fn parse(name: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| ForecastError::UnknownModel(name.to_string()))
    }

    /// Methods that carry their own seasonality; the others see deseasonalised data.
    pub fn is_seasonal(self) -> bool {
        matches!(self, Method::SeasonalNaive | Method::Ets)
    }

    /// Fits a local method. The pooled elastic net is fitted across series
    /// elsewhere; asked here it falls back to its local stand-in, SES.
    pub fn fit(self, y: &[f64], season: usize) -> Fit {
        match self {
            Method::Naive => Fit::Naive,
            Method::SeasonalNaive => Fit::SeasonalNaive { season },
            Method::WindowAverage => Fit::WindowAverage {
                window: naive::choose_window(y, season),
            },
            Method::Ses | Method::ElasticNet => Fit::Ets(ets::fit_nonseasonal(y, ets::Trend::None)),
            Method::Holt => Fit::Ets(ets::fit_nonseasonal(y, ets::Trend::Additive)),
            Method::DampedHolt => Fit::Ets(ets::fit_nonseasonal(y, ets::Trend::Damped)),
            Method::Ets => Fit::Ets(ets::fit_auto(y, season)),
            Method::Croston => Fit::Croston,
            Method::Sba => Fit::Sba,
            Method::Tsb => Fit::Tsb(tsb::fit(y)),
            Method::Adida => Fit::Adida(adida::fit(y)),
            Method::Imapa => Fit::Imapa {
                levels: imapa::fit(y),
            },
        }
    }
}

/// Fitted parameters of a local method.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fit {
    Naive,
    SeasonalNaive { season: usize },
    WindowAverage { window: usize },
    Ets(EtsFit),
    Croston,
    Sba,
    Tsb(TsbParams),
    Adida(adida::AdidaParams),
    Imapa { levels: Vec<adida::AdidaParams> },
}

impl Fit {
    /// Point forecasts for the `h` periods after `y`, never negative.
    pub fn forecast(&self, y: &[f64], h: usize) -> Vec<f64> {
        if y.is_empty() {
            return vec![0.0; h];
        }
        let mut path = match self {
            Fit::Naive => naive::naive(y, h),
            Fit::SeasonalNaive { season } => naive::seasonal_naive(y, *season, h),
            Fit::WindowAverage { window } => naive::window_average(y, *window, h),
            Fit::Ets(fit) => fit.forecast(y, h),
            Fit::Croston => vec![croston::croston(y); h],
            Fit::Sba => vec![croston::sba(y); h],
            Fit::Tsb(p) => vec![tsb::run(y, *p).0; h],
            Fit::Adida(p) => vec![adida::forecast(y, *p); h],
            Fit::Imapa { levels } => vec![imapa::forecast(y, levels); h],
        };
        path.iter_mut()
            .for_each(|v| *v = if v.is_finite() { v.max(0.0) } else { 0.0 });
        path
    }

    /// Short name for reports: the method, or the ETS form, e.g. `ets(A,Ad,N)`.
    pub fn label(&self) -> String {
        match self {
            Fit::Naive => "naive".into(),
            Fit::SeasonalNaive { .. } => "seasonal_naive".into(),
            Fit::WindowAverage { .. } => "window_average".into(),
            Fit::Ets(f) => f.form(),
            Fit::Croston => "croston".into(),
            Fit::Sba => "sba".into(),
            Fit::Tsb(_) => "tsb".into(),
            Fit::Adida(_) => "adida".into(),
            Fit::Imapa { .. } => "imapa".into(),
        }
    }
}
