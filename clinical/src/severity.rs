//! Severity of a finding, ordered from least to most severe, with the
//! mappings the interoperability layers need (FHIR R4, CDS Hooks).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Minor,
    Moderate,
    Major,
    Contraindicated,
}

/// FHIR R4 `DetectedIssue.severity` (http://hl7.org/fhir/detectedissue-severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FhirSeverity {
    High,
    Moderate,
    Low,
}

/// CDS Hooks card `indicator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CdsIndicator {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Minor,
        Severity::Moderate,
        Severity::Major,
        Severity::Contraindicated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::Moderate => "moderate",
            Severity::Major => "major",
            Severity::Contraindicated => "contraindicated",
        }
    }

    /// Major and contraindicated both need action before dispensing, so both
    /// are `high`: FHIR has no finer grade.
    pub fn fhir(self) -> FhirSeverity {
        match self {
            Severity::Contraindicated | Severity::Major => FhirSeverity::High,
            Severity::Moderate => FhirSeverity::Moderate,
            Severity::Minor => FhirSeverity::Low,
        }
    }

    /// Only `critical` cards interrupt the prescriber; minor findings are
    /// informational (CURATION.md: "no alert in the workflow").
    pub fn cds_indicator(self) -> CdsIndicator {
        match self {
            Severity::Contraindicated | Severity::Major => CdsIndicator::Critical,
            Severity::Moderate => CdsIndicator::Warning,
            Severity::Minor => CdsIndicator::Info,
        }
    }

    /// The ANSM level strings (data/kb/README.md §1), including the parsing
    /// artefact "Il convient de prendre en compte".
    pub fn from_ansm_level(level: &str) -> Option<Severity> {
        match level.trim() {
            "CONTRE-INDICATION" => Some(Severity::Contraindicated),
            "Association DECONSEILLEE" => Some(Severity::Major),
            "Précaution d'emploi" => Some(Severity::Moderate),
            "A prendre en compte" | "Il convient de prendre en compte" => Some(Severity::Minor),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {0:?} (expected contraindicated, major, moderate or minor)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "contraindicated" => Ok(Severity::Contraindicated),
            "major" => Ok(Severity::Major),
            "moderate" => Ok(Severity::Moderate),
            "minor" => Ok(Severity::Minor),
            other => Err(UnknownSeverity(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn orders_and_maps() {
        assert!(Severity::Contraindicated > Severity::Major);
        assert!(Severity::Moderate > Severity::Minor);
        assert_eq!(Severity::Major.fhir(), FhirSeverity::High);
        assert_eq!(Severity::Moderate.cds_indicator(), CdsIndicator::Warning);
        assert_eq!(Severity::Minor.fhir(), FhirSeverity::Low);
        assert_eq!("Major".parse::<Severity>().unwrap(), Severity::Major);
        assert!("severe".parse::<Severity>().is_err());
        assert_eq!(
            Severity::from_ansm_level("Précaution d'emploi"),
            Some(Severity::Moderate)
        );
    }
}
