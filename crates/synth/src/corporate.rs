//! The corporate plan: mission, principles, values, priority themes and their outcomes.

use crate::identity::Identity;
use crate::rng::{Rng, Stream};
use crate::words::{
    Category, MISSION_AIMS, NARRATIVE_COUNCIL, NARRATIVE_PEOPLE, NARRATIVE_PLACE, PRINCIPLES,
    THEMES, VALUES,
};
use waymark_domain::{CorporatePlan, Outcome, Theme};

/// Fill "{place}" and "{area}" in a template.
fn fill(template: &str, id: &Identity) -> String {
    template
        .replace("{place}", &id.place)
        .replace("{area}", id.area)
}

/// The plan, and each theme's category (so indicators can sit under a fitting theme).
pub(crate) fn corporate_plan(
    seed: u64,
    index: usize,
    id: &Identity,
    first_year: u16,
    years: usize,
) -> (CorporatePlan, Vec<Category>) {
    let mut rng = Rng::for_council(seed, index, Stream::CorporatePlan);

    let aims = rng.sample(MISSION_AIMS.len(), 3);
    let mut order = aims.clone();
    rng.shuffle(&mut order);
    let mission = format!(
        "We will make {} even better for everyone who lives and works here, by {}, {} and {}.",
        id.place,
        fill(MISSION_AIMS[order[0]], id),
        fill(MISSION_AIMS[order[1]], id),
        fill(MISSION_AIMS[order[2]], id),
    );

    // Mirrors the page: mission on line 2, then principles and values, then the themes.
    let mut line = 4;
    let principles: Vec<String> = rng
        .sample_between(PRINCIPLES.len(), 4, 6)
        .into_iter()
        .map(|i| fill(PRINCIPLES[i], id))
        .collect();
    line += principles.len() + 1;
    let values: Vec<String> = rng
        .sample_between(VALUES.len(), 2, 4)
        .into_iter()
        .map(|i| VALUES[i].to_string())
        .collect();
    line += values.len() + 1;

    let mut theme_defs = rng.sample_between(THEMES.len(), 3, 5);
    rng.shuffle(&mut theme_defs);
    let mut outcome_number = 0;
    let mut categories = Vec::with_capacity(theme_defs.len());
    let themes = theme_defs
        .into_iter()
        .enumerate()
        .map(|(t, def_index)| {
            let def = &THEMES[def_index];
            categories.push(def.category);
            let theme_line = line;
            line += 3;
            let sentences = match def.category {
                Category::People => NARRATIVE_PEOPLE,
                Category::Place => NARRATIVE_PLACE,
                Category::Council => NARRATIVE_COUNCIL,
            };
            let outcomes = rng
                .sample_between(def.outcomes.len(), 2, 4)
                .into_iter()
                .map(|o| {
                    outcome_number += 1;
                    let outcome_line = line;
                    let paragraphs = rng.between(1, 3);
                    let narrative: Vec<String> = (0..paragraphs)
                        .map(|_| {
                            rng.sample_between(sentences.len(), 2, 3)
                                .into_iter()
                                .map(|s| fill(sentences[s], id))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect();
                    line += 1 + narrative.len();
                    Outcome {
                        number: outcome_number,
                        title: def.outcomes[o].replace("borough", id.area),
                        narrative,
                        line: outcome_line,
                    }
                })
                .collect();
            line += 1;
            Theme {
                number: t as u32 + 1,
                title: def.title.to_string(),
                summary: format!("Our priority is to {}.", def.summary),
                outcomes,
                line: theme_line,
            }
        })
        .collect();

    let last = first_year as usize + years;
    let plan = CorporatePlan {
        title: format!("{} corporate plan {first_year} to {last}", id.name),
        mission,
        principles,
        values,
        themes,
    };
    (plan, categories)
}
