//! Personal names, and the patient lines built from them.

use rand::Rng;
use rand::rngs::StdRng;

use super::dates::{date_field, dob_field};
use super::line::{Line, chance, field_gap, pick};
use crate::tagger::labels::Role;

const FIRST: &[&str] = &[
    "Rahul",
    "Kyle",
    "Maria",
    "Jane",
    "John",
    "Aisha",
    "Wei",
    "Olga",
    "Thomas",
    "Priya",
    "Carlos",
    "Emily",
    "Mohammed",
    "Grace",
    "Dmitri",
    "Fatima",
    "Liam",
    "Noah",
    "Sofia",
    "Hiroshi",
    "Mary",
    "James",
    "Patricia",
    "Robert",
    "Linda",
    "Michael",
    "Nguyen",
    "Ana",
    "Jose",
    "José",
    "Zoë",
    "Chidi",
    "Ingrid",
    "Tariq",
    "Mei",
    "Samantha",
    "Andre",
    "Keisha",
    "Yusuf",
    "Elena",
    "Bo",
    "Jo",
    "Anne-Marie",
    "Jean-Luc",
    "Li",
    "Ali",
    "Kateryna",
    "Oluwaseun",
    "Siobhan",
    "Raj",
];

const LAST: &[&str] = &[
    "Gomez",
    "MacLeod",
    "O'Neil",
    "Smith-Jones",
    "Johansson",
    "Smith",
    "Nguyen",
    "Patel",
    "Okafor",
    "Kowalski",
    "Williams",
    "García",
    "De La Cruz",
    "Van Buren",
    "St. Clair",
    "McDonald",
    "Li",
    "Brown",
    "Johnson",
    "Martinez",
    "Cohen",
    "Haddad",
    "Kim",
    "Park",
    "O'Brien",
    "D'Angelo",
    "Fitzgerald",
    "Yamamoto",
    "Müller",
    "Schwartz",
    "Abernathy",
    "Lee",
    "Ng",
    "Washington",
    "Rodriguez-Lopez",
    "Ivanova",
    "Adeyemi",
    "Chen",
    "Singh",
    "Thompson",
    "Moore",
    "Baker",
    "Rossi",
    "Dubois",
    "Andersen",
    "Lindqvist",
    "Ahmed",
    "Hernandez",
    "Jackson",
    "Mbeki",
];

const PATIENT_LABELS: &[&str] = &[
    "Patient:",
    "Patient:",
    "Patient Name:",
    "Name:",
    "Name:",
    "Pt:",
    "Pt Name:",
    "Pt. Name:",
    "For:",
    "Patient",
    "Name",
    "PATIENT:",
    "Patient name:",
    "Patient's Name:",
    "Full Name:",
    "Rx for:",
    "Prescribed for:",
    "Pt",
];

/// One person's name parts; `middle` is a full middle name, often shown as an initial.
pub(super) struct Person {
    pub(super) first: &'static str,
    pub(super) middle: Option<&'static str>,
    pub(super) last: &'static str,
}

impl Person {
    pub(super) fn random(rng: &mut StdRng) -> Person {
        Person {
            first: pick(rng, FIRST),
            middle: chance(rng, 0.5).then(|| pick(rng, FIRST)),
            last: pick(rng, LAST),
        }
    }

    fn initial(name: &str) -> String {
        name.chars().take(1).collect()
    }

    /// The name as it might be written, with no honorific or credential.
    pub(super) fn written(&self, rng: &mut StdRng) -> String {
        let (first, last) = (self.first, self.last);
        let fi = Self::initial(first);
        let Some(middle) = self.middle else {
            return match rng.random_range(0..10) {
                0..=4 => format!("{first} {last}"),
                5..=6 => format!("{last}, {first}"),
                7 => format!("{}, {}", last.to_uppercase(), first.to_uppercase()),
                8 => format!("{} {}", first.to_uppercase(), last.to_uppercase()),
                _ => format!("{fi}. {last}"),
            };
        };
        let mi = Self::initial(middle);
        match rng.random_range(0..12) {
            0..=3 => format!("{first} {mi}. {last}"),
            4 => format!("{first} {mi} {last}"),
            5 => format!("{first} {middle} {last}"),
            6..=7 => format!("{last}, {first} {mi}."),
            8 => format!(
                "{}, {} {}",
                last.to_uppercase(),
                first.to_uppercase(),
                mi.to_uppercase()
            ),
            9 => format!("{last}, {first} {middle}"),
            10 => format!(
                "{first} {mi}. {last} {}",
                pick(rng, &["Jr.", "Sr.", "III", "II"])
            ),
            _ => format!("{fi}. {mi}. {last}"),
        }
    }
}

/// "Patient: Rahul A. Gomez", or the bare name a pharmacist would read as
/// the patient (prescriber names carry "Dr." or a credential).
pub(super) fn patient_field(rng: &mut StdRng, line: &mut Line) {
    let name = Person::random(rng).written(rng);
    let label = if chance(rng, 0.12) {
        ""
    } else {
        pick(rng, PATIENT_LABELS)
    };
    line.field(rng, label, Role::Patient, &name);
}

pub(super) fn patient_line(rng: &mut StdRng) -> Line {
    let mut line = Line::default();
    patient_field(rng, &mut line);
    if chance(rng, 0.25) {
        let extra = pick(
            rng,
            &[
                "Sex: M",
                "Sex: F",
                "Age: 42",
                "Age: 7 y",
                "Gender: Female",
                "(Male)",
                "Wt: 70 kg",
            ],
        );
        line.o(field_gap(rng)).o(extra);
    }
    line
}

/// Patient name with date of birth, in either order or parenthesised.
pub(super) fn patient_dob_line(rng: &mut StdRng) -> Line {
    let mut line = Line::default();
    match rng.random_range(0..6) {
        0 => {
            dob_field(rng, &mut line);
            line.o(field_gap(rng));
            patient_field(rng, &mut line);
        }
        1 => {
            let name = Person::random(rng).written(rng);
            line.tag(Role::Patient, &name)
                .o(pick(rng, &[" (DOB ", " (DOB: ", " (born "]));
            let dob = super::dates::birth_date(rng);
            line.tag(Role::Dob, &dob).o(")");
        }
        _ => {
            patient_field(rng, &mut line);
            line.o(field_gap(rng));
            dob_field(rng, &mut line);
        }
    }
    if chance(rng, 0.3) {
        line.o(field_gap(rng)).o(pick(
            rng,
            &["Sex: M", "Sex: F", "Age: 64", "Phone: (555) 201-7788"],
        ));
    }
    line
}

/// Form headers that put the patient, birth date and date written together
/// ("Name: X   DOB: Y   Date: Z").
pub(super) fn header_combo_line(rng: &mut StdRng) -> Line {
    let mut line = Line::default();
    let fields: &[fn(&mut StdRng, &mut Line)] = match rng.random_range(0..5) {
        0 => &[patient_field, date_field],
        1 => &[date_field, patient_field],
        2 => &[patient_field, dob_field, date_field],
        3 => &[patient_field, date_field, dob_field],
        _ => &[patient_field, dob_field],
    };
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            line.o(field_gap(rng));
        }
        field(rng, &mut line);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn written_names_keep_the_surname() {
        let mut rng = StdRng::seed_from_u64(9);
        for _ in 0..300 {
            let person = Person::random(&mut rng);
            let name = person.written(&mut rng);
            assert!(
                name.to_uppercase().contains(&person.last.to_uppercase()),
                "{name}"
            );
            assert_eq!(name.trim(), name);
        }
    }

    #[test]
    fn parenthesised_dob_is_tagged_inside_the_brackets() {
        let mut rng = StdRng::seed_from_u64(0);
        let found = (0..200)
            .map(|_| patient_dob_line(&mut rng).finish())
            .find(|e| e.text.contains("(DOB "));
        let Some(example) = found else {
            panic!("no parenthesised DOB in 200 lines")
        };
        let dob = example.spans.iter().find(|s| s.role == Role::Dob);
        let Some(dob) = dob else {
            panic!("no DOB span in {:?}", example.text)
        };
        assert_eq!(&example.text[dob.end..], ")");
        assert!(example.text[..dob.start].ends_with(' '));
    }
}
