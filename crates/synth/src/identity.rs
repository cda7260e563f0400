//! Who a synthetic council is: name, slug, neighbourhoods, directorates and portfolios.

use crate::rng::{Rng, Stream, mix};
use crate::words::{DIRECTORATES, DirectorateDef, KINDS, LOCAL_FEATURES, STEMS, SUFFIXES};

/// One directorate as this council names it, with the portfolios it answers to.
pub(crate) struct Directorate {
    pub def: &'static DirectorateDef,
    pub name: String,
    pub portfolios: Vec<String>,
}

pub(crate) struct Identity {
    pub slug: String,
    pub name: String,
    /// The council's own place name ("Ashford Vale").
    pub place: String,
    /// What residents call the area ("borough", "city", "district").
    pub area: &'static str,
    /// Neighbourhoods that titles and commentary mention.
    pub locals: Vec<String>,
    pub directorates: Vec<Directorate>,
}

/// Multiplier of the affine permutation over places; coprime to the number of places, so the
/// first `STEMS × SUFFIXES` councils all get different places (and neighbours look unrelated).
const PLACE_STRIDE: usize = 1_957;

/// (kind, stem, suffix) of council `index`. Places never repeat among the first
/// `STEMS × SUFFIXES` councils; after that a place comes back with a different kind, so names
/// stay unique up to `STEMS × SUFFIXES × KINDS` councils (22,400, above the 10,000 allowed).
pub(crate) fn name_parts(seed: u64, index: usize) -> (usize, usize, usize) {
    let places = STEMS.len() * SUFFIXES.len();
    let offset = (mix(seed ^ 0x6E61_6D65) % places as u64) as usize;
    let place = (index % places * PLACE_STRIDE + offset) % places;
    let spin = (mix(seed ^ place as u64) % KINDS.len() as u64) as usize;
    let kind = (index / places + spin) % KINDS.len();
    (kind, place / SUFFIXES.len(), place % SUFFIXES.len())
}

pub(crate) fn identity(seed: u64, index: usize, slug_width: usize) -> Identity {
    let mut rng = Rng::for_council(seed, index, Stream::Identity);
    let (kind, stem, suffix) = name_parts(seed, index);
    let place = format!("{} {}", STEMS[stem], SUFFIXES[suffix]);
    let (kind_words, area) = KINDS[kind];
    let name = format!("{kind_words} {place}");
    let slug = format!("council-{:0width$}", index + 1, width = slug_width);

    let mut locals: Vec<String> = Vec::new();
    let wanted = rng.between(8, 12);
    while locals.len() < wanted {
        let local = format!(
            "{} {}",
            rng.pick(STEMS),
            LOCAL_FEATURES[rng.below(LOCAL_FEATURES.len())]
        );
        if !locals.contains(&local) && local != place {
            locals.push(local);
        }
    }

    // Every council with social care has adults' and children's directorates; the rest vary.
    let ampersand = rng.chance(0.35);
    let count = rng.between(4, 7);
    let mut chosen = vec![0, 1];
    chosen.extend(
        rng.sample(DIRECTORATES.len() - 2, count - 2)
            .into_iter()
            .map(|i| i + 2),
    );
    let directorates = chosen
        .into_iter()
        .map(|i| {
            let def = &DIRECTORATES[i];
            let name = if ampersand {
                def.name.replace(" and ", " & ")
            } else {
                def.name.to_string()
            };
            let mut portfolios = vec![def.portfolios[0].to_string()];
            if rng.chance(0.5) {
                portfolios.push(def.portfolios[1].to_string());
            }
            Directorate {
                def,
                name,
                portfolios,
            }
        })
        .collect();

    Identity {
        slug,
        name,
        place,
        area,
        locals,
        directorates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_for_every_allowed_council() {
        assert!(STEMS.len() * SUFFIXES.len() * KINDS.len() >= 10_000);
        for seed in [0, 1, 0xDEAD_BEEF] {
            let mut seen = HashSet::new();
            for i in 0..10_000 {
                assert!(seen.insert(name_parts(seed, i)), "seed {seed} council {i}");
            }
        }
    }

    #[test]
    fn directorate_names_and_prefixes_are_distinct() {
        let names: HashSet<_> = DIRECTORATES.iter().map(|d| d.name).collect();
        let prefixes: HashSet<_> = DIRECTORATES.iter().map(|d| d.prefix).collect();
        assert_eq!(names.len(), DIRECTORATES.len());
        assert_eq!(prefixes.len(), DIRECTORATES.len());
    }

    #[test]
    fn councils_have_four_to_seven_directorates() {
        for i in 0..200 {
            let id = identity(3, i, 3);
            assert!((4..=7).contains(&id.directorates.len()));
            for d in &id.directorates {
                assert!((1..=2).contains(&d.portfolios.len()));
            }
            let names: HashSet<_> = id.directorates.iter().map(|d| &d.name).collect();
            assert_eq!(names.len(), id.directorates.len());
        }
    }
}
