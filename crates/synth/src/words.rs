//! Word lists the generator draws on. Invented place names; service vocabulary, portfolios and
//! indicators in the style UK councils publish (the portfolios mirror what the action-plan
//! importer reads from Bexley's plan: "Children's Services", "Adults’ Services & Health", …).

/// The kind of council, which also decides what residents call the area.
pub(crate) const KINDS: &[(&str, &str)] = &[
    ("Borough of", "borough"),
    ("London Borough of", "borough"),
    ("District of", "district"),
    ("City of", "city"),
    ("Royal Borough of", "borough"),
    ("Metropolitan Borough of", "borough"),
    ("County Borough of", "borough"),
];

#[rustfmt::skip]
pub(crate) const STEMS: &[&str] = &[
    "Ashford", "Bramley", "Kestle", "Thornbury", "Oakham", "Hollinwood", "Marlow", "Fenwick",
    "Caldbeck", "Elmstead", "Harrowden", "Whitcombe", "Ravensworth", "Linfield", "Stanbridge",
    "Cresswell", "Dunmore", "Pemberton", "Wexcombe", "Aldermoor", "Broadwell", "Coldharbour",
    "Dovercourt", "Eastry", "Farleigh", "Glenholme", "Hartwell", "Ickford", "Kingsmead",
    "Langley", "Millbrook", "Northwick", "Oxhey", "Petherton", "Queensbury", "Redbourne",
    "Saltwood", "Tenbury", "Upwood", "Verwood", "Westerham", "Yarnfield", "Burnside",
    "Chalkwell", "Denholme", "Foxley", "Greystoke", "Hadleigh", "Kelvedon", "Lydford", "Marden",
    "Newbold", "Orwell", "Pickering", "Rushden", "Shirebrook", "Thurlow", "Ulverley", "Wrexley",
    "Yelverton", "Ashcombe", "Barrowby", "Chilcote", "Dunsford", "Eversley", "Fairburn",
    "Goldhanger", "Hawkridge", "Kirkley", "Lowther", "Moorcroft", "Netherby", "Oldbury",
    "Penwortham", "Ridgeway", "Stowmarsh", "Tolland", "Wickham", "Brackenfield", "Selworth",
];

#[rustfmt::skip]
pub(crate) const SUFFIXES: &[&str] = &[
    "Vale", "Heath", "Green", "Cross", "Downs", "Marsh", "Wells", "Park", "Fields", "Hill",
    "Valley", "Common", "Forest", "Bridge", "Moor", "Weald", "Water", "Wold", "Chase", "Dale",
    "Mere", "Reach", "Haven", "Brook", "Lea", "Edge", "Priory", "Abbey", "Meadows", "Ridge",
    "Hythe", "Ford", "Fen", "Gate", "Hollow", "Sands", "Wood", "Point", "Ness", "Leys",
];

/// Second words of neighbourhood names inside a council ("Erith Quarry", "Kestle Wharf").
#[rustfmt::skip]
pub(crate) const LOCAL_FEATURES: &[&str] = &[
    "Quarry", "Green", "Park", "Heath", "Common", "Wharf", "Fields", "Hill", "End", "Cross",
    "Marshes", "Village", "Lock", "Rise", "Corner", "Gardens", "Mill", "Town Centre",
];

/// A directorate: name (written with "and"; some councils write "&"), reference prefix,
/// the cabinet portfolios it answers to, relative size, and vocabulary for activity titles.
pub(crate) struct DirectorateDef {
    pub name: &'static str,
    pub prefix: &'static str,
    pub portfolios: [&'static str; 2],
    pub weight: u32,
    /// Service areas, written to read both before an artefact ("the reablement strategy")
    /// and on their own ("Expand reablement for people leaving hospital").
    pub topics: &'static [&'static str],
    pub groups: &'static [&'static str],
    pub facilities: &'static [&'static str],
}

/// Broad kind of corporate priority, used to place indicators under a fitting theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    People,
    Place,
    Council,
}

pub(crate) const DIRECTORATES: &[DirectorateDef] = &[
    DirectorateDef {
        name: "Adult Social Care and Health",
        prefix: "ASC",
        portfolios: ["Adults’ Services & Health", "Public Health & Wellbeing"],
        weight: 16,
        topics: &[
            "home care",
            "reablement",
            "day opportunities",
            "extra care housing",
            "carers' support",
            "hospital discharge",
            "assistive technology",
            "learning disability",
            "supported living",
            "care home quality",
            "adult safeguarding",
            "direct payments",
            "dementia support",
            "mental health recovery",
            "autism",
            "occupational therapy",
            "falls prevention",
            "telecare",
            "shared lives",
            "transitions to adulthood",
        ],
        groups: &[
            "older residents",
            "adults with learning disabilities",
            "unpaid carers",
            "people leaving hospital",
            "autistic adults",
            "people living with dementia",
            "residents with complex care needs",
            "young adults moving from children's services",
        ],
        facilities: &[
            "extra care scheme",
            "dementia day centre",
            "supported living scheme",
            "community wellbeing hub",
            "reablement unit",
            "carers' centre",
        ],
    },
    DirectorateDef {
        name: "Children's Services",
        prefix: "CHS",
        portfolios: ["Children's Services", "Education"],
        weight: 16,
        topics: &[
            "early help",
            "family hubs",
            "fostering",
            "adoption",
            "care leavers' support",
            "child protection",
            "youth justice",
            "contextual safeguarding",
            "children's social care workforce",
            "SEND",
            "home-to-school transport",
            "short breaks",
            "youth work",
            "school readiness",
            "edge-of-care support",
            "corporate parenting",
            "children's mental health",
            "school attendance",
            "residential care sufficiency",
        ],
        groups: &[
            "pupils with SEND",
            "children in our care",
            "care leavers",
            "young carers",
            "families with young children",
            "young people at risk of exploitation",
            "disabled children and their families",
            "children missing education",
        ],
        facilities: &[
            "family hub",
            "children's centre",
            "youth centre",
            "children's home",
            "special school expansion",
            "short breaks centre",
        ],
    },
    DirectorateDef {
        name: "Place",
        prefix: "PLC",
        portfolios: ["Places", "Growth"],
        weight: 20,
        topics: &[
            "highways maintenance",
            "street lighting",
            "parking",
            "cycling",
            "school streets",
            "town centre regeneration",
            "spatial planning",
            "planning enforcement",
            "bus priority",
            "road safety",
            "electric vehicle charging",
            "flood risk management",
            "parks and open spaces",
            "street cleansing",
            "waste and recycling",
            "tree planting",
            "air quality",
            "building control",
            "public realm",
        ],
        groups: &[
            "pedestrians and cyclists",
            "local businesses",
            "residents without off-street parking",
            "bus users",
            "households in flats",
            "visitors to our town centres",
        ],
        facilities: &[
            "community hub",
            "town centre improvements",
            "library",
            "leisure centre",
            "park improvements",
            "transport interchange",
            "market square",
            "cycle route",
            "playground",
        ],
    },
    DirectorateDef {
        name: "Finance and Resources",
        prefix: "FIN",
        portfolios: ["Deputy Leader of the Council / Resources", "Finance"],
        weight: 12,
        topics: &[
            "procurement",
            "council tax collection",
            "business rates",
            "medium-term financial planning",
            "treasury management",
            "asset management",
            "commercial property",
            "counter-fraud",
            "income collection",
            "payments",
            "pension fund",
            "internal audit",
            "risk management",
            "social value",
            "budget monitoring",
            "capital investment",
        ],
        groups: &[
            "suppliers",
            "council tax payers",
            "local businesses",
            "budget holders",
            "residents in financial hardship",
        ],
        facilities: &[
            "civic offices",
            "depot",
            "council headquarters",
            "commercial estate",
        ],
    },
    DirectorateDef {
        name: "Communities",
        prefix: "COM",
        portfolios: ["Communities & Housing", "Culture, Leisure & Heritage"],
        weight: 10,
        topics: &[
            "community safety",
            "anti-social behaviour",
            "volunteering",
            "domestic abuse",
            "libraries",
            "arts and culture",
            "sport and physical activity",
            "community grants",
            "food poverty",
            "welfare advice",
            "cost-of-living support",
            "community cohesion",
            "heritage",
            "events",
            "warm spaces",
            "holiday activities and food",
        ],
        groups: &[
            "victims of domestic abuse",
            "volunteers and community champions",
            "residents facing hardship",
            "faith and community groups",
            "older residents at risk of isolation",
            "young people",
        ],
        facilities: &[
            "community centre",
            "library",
            "heritage centre",
            "sports pavilion",
            "arts centre",
            "food hub",
        ],
    },
    DirectorateDef {
        name: "Housing",
        prefix: "HSG",
        portfolios: ["Communities & Housing", "Housing"],
        weight: 10,
        topics: &[
            "homelessness prevention",
            "temporary accommodation",
            "housing allocations",
            "affordable housing",
            "council housing repairs",
            "private rented sector licensing",
            "empty homes",
            "disabled facilities grants",
            "estate renewal",
            "rough sleeping",
            "housing standards",
            "tenant engagement",
            "building safety",
            "energy efficiency in homes",
            "damp and mould",
        ],
        groups: &[
            "rough sleepers",
            "private renters",
            "council tenants",
            "households in temporary accommodation",
            "armed forces veterans",
            "older homeowners",
        ],
        facilities: &[
            "housing estate",
            "regeneration scheme",
            "supported housing scheme",
            "hostel",
            "modular homes scheme",
        ],
    },
    DirectorateDef {
        name: "Chief Executive's Office",
        prefix: "CEX",
        portfolios: [
            "Leader of the Council",
            "Deputy Leader of the Council / Resources",
        ],
        weight: 5,
        topics: &[
            "corporate performance",
            "communications",
            "resident engagement",
            "equalities",
            "partnership working",
            "policy development",
            "elections",
            "democratic engagement",
            "member development",
            "strategic planning",
            "consultation",
            "corporate planning",
        ],
        groups: &[
            "residents",
            "elected members",
            "partner organisations",
            "under-represented groups",
            "voters",
        ],
        facilities: &["town hall", "civic centre", "council chamber"],
    },
    DirectorateDef {
        name: "Public Health",
        prefix: "PH",
        portfolios: ["Public Health & Wellbeing", "Adults’ Services & Health"],
        weight: 6,
        topics: &[
            "healthy weight",
            "stop smoking",
            "substance misuse",
            "sexual health",
            "immunisation",
            "health checks",
            "mental wellbeing",
            "physical activity",
            "health inequalities",
            "suicide prevention",
            "oral health",
            "health visiting",
            "social prescribing",
            "air quality and health",
        ],
        groups: &[
            "pregnant women who smoke",
            "residents in our most deprived wards",
            "children and young people",
            "people who use drugs and alcohol",
            "new parents",
            "men over 40",
        ],
        facilities: &[
            "health and wellbeing hub",
            "health centre",
            "outdoor gym",
            "community kitchen",
        ],
    },
    DirectorateDef {
        name: "Environment and Neighbourhoods",
        prefix: "ENV",
        portfolios: ["Climate & Environment", "Transport & Highways"],
        weight: 14,
        topics: &[
            "recycling",
            "food waste collection",
            "garden waste",
            "fly-tipping enforcement",
            "street cleansing",
            "grounds maintenance",
            "biodiversity",
            "tree canopy",
            "net zero",
            "climate adaptation",
            "allotments",
            "cemeteries",
            "pest control",
            "noise nuisance",
            "environmental health",
            "commercial waste",
            "litter enforcement",
        ],
        groups: &[
            "households in flats",
            "local businesses",
            "schools",
            "community gardening groups",
            "residents",
        ],
        facilities: &[
            "recycling centre",
            "nature reserve",
            "country park",
            "waste depot",
            "wetland",
            "allotment site",
            "solar farm",
        ],
    },
    DirectorateDef {
        name: "Regeneration and Growth",
        prefix: "REG",
        portfolios: ["Growth", "Regeneration & Skills"],
        weight: 10,
        topics: &[
            "inward investment",
            "business support",
            "skills and employment",
            "high street",
            "visitor economy",
            "town centre",
            "apprenticeships",
            "digital connectivity",
            "regeneration",
            "economic growth",
            "start-up support",
            "green jobs",
            "local procurement",
            "night-time economy",
        ],
        groups: &[
            "small businesses",
            "young people not in employment",
            "long-term unemployed residents",
            "start-ups",
            "residents who want to retrain",
            "local employers",
        ],
        facilities: &[
            "enterprise centre",
            "business park",
            "high street",
            "regeneration scheme",
            "creative workspace",
            "skills centre",
        ],
    },
    DirectorateDef {
        name: "Education and Skills",
        prefix: "EDU",
        portfolios: ["Education", "Regeneration & Skills"],
        weight: 8,
        topics: &[
            "school places",
            "school improvement",
            "post-16 education",
            "adult learning",
            "early years",
            "school admissions",
            "educational psychology",
            "exclusions prevention",
            "specialist SEND places",
            "attendance",
            "careers guidance",
            "school condition",
            "digital skills",
        ],
        groups: &[
            "pupils with additional needs",
            "disadvantaged pupils",
            "adult learners",
            "young people not in education",
            "early years providers",
            "schools",
        ],
        facilities: &[
            "primary school expansion",
            "special school",
            "adult education centre",
            "sixth form centre",
            "nursery",
        ],
    },
    DirectorateDef {
        name: "Corporate Services",
        prefix: "CSV",
        portfolios: [
            "Deputy Leader of the Council / Resources",
            "Digital & Customer Services",
        ],
        weight: 10,
        topics: &[
            "digital transformation",
            "customer contact",
            "ICT infrastructure",
            "cyber security",
            "data and insight",
            "workforce",
            "recruitment and retention",
            "people management",
            "information governance",
            "complaints handling",
            "website",
            "hybrid working",
            "apprenticeship levy",
            "legal casework",
            "agile working",
        ],
        groups: &[
            "staff",
            "residents who contact us",
            "managers",
            "apprentices",
            "residents who are digitally excluded",
        ],
        facilities: &["customer service centre", "data centre", "civic offices"],
    },
];

/// Verbs for something that already exists ("Review the home care pathway").
#[rustfmt::skip]
pub(crate) const VERBS_EXISTING: &[&str] = &[
    "Deliver", "Implement", "Review", "Refresh", "Embed", "Evaluate", "Roll out", "Redesign",
    "Update", "Consult on", "Extend",
];

/// Verbs for something new ("Launch a new fostering offer").
#[rustfmt::skip]
pub(crate) const VERBS_CREATING: &[&str] = &[
    "Develop", "Launch", "Agree", "Publish", "Introduce", "Pilot", "Commission",
    "Adopt", "Co-produce", "Consult on", "Deliver", "Implement", "Design",
];

pub(crate) const DETERMINERS_EXISTING: &[&str] = &["the", "our"];
pub(crate) const DETERMINERS_CREATING: &[&str] = &["a new", "a joint", "the", "our", "a"];

#[rustfmt::skip]
pub(crate) const ARTEFACTS: &[&str] = &[
    "strategy", "action plan", "programme", "service", "policy", "framework", "partnership",
    "offer", "pathway", "improvement plan", "delivery plan", "commissioning plan",
    "charter", "protocol", "dashboard", "toolkit",
];

/// What a service-for-a-group title offers ("Review home care services for older residents").
pub(crate) const PROVISIONS: &[&str] = &["services", "support", "provision", "advice"];

/// Verbs that open a title about a service for a group ("Review X for Y").
#[rustfmt::skip]
pub(crate) const VERBS_SERVICE: &[&str] = &[
    "Improve", "Expand", "Review", "Strengthen", "Modernise", "Redesign", "Extend",
    "Recommission", "Co-produce", "Promote", "Simplify", "Join up",
];

/// Verbs for a building or place ("Deliver the Erith Quarry community hub").
pub(crate) const VERBS_THE_FACILITY: &[&str] = &[
    "Deliver",
    "Open",
    "Refurbish",
    "Complete",
    "Redevelop",
    "Design",
    "Secure funding for",
    "Consult on",
];

/// Verbs for a new building or place ("Open a new library in Kestle Wharf").
pub(crate) const VERBS_NEW_FACILITY: &[&str] =
    &["Open", "Build", "Establish", "Create", "Commission", "Plan"];

/// Endings that say why; each carries its own leading separator.
#[rustfmt::skip]
pub(crate) const PURPOSES: &[&str] = &[
    " to improve outcomes for residents",
    " so that residents get the support they need",
    " to reduce costs and improve value for money",
    " in line with new legislation",
    " to meet rising demand",
    ", working with health partners",
    ", in partnership with the voluntary sector",
    " to reduce demand on statutory services",
    " to tackle inequalities",
    " to increase take-up",
    " to raise standards",
    " to protect the most vulnerable",
    ", using data to target resources",
    " to improve the resident experience",
    ", informed by residents' feedback",
    " to bring in external funding",
    " to cut carbon emissions",
    ", with neighbouring councils",
];

#[rustfmt::skip]
pub(crate) const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

// ---- Commentary -------------------------------------------------------------------------

/// What Green commentary talks about.
#[rustfmt::skip]
pub(crate) const MILESTONES: &[&str] = &[
    "Consultation with residents", "The options appraisal", "Procurement of a delivery partner",
    "The business case", "Recruitment to the project team", "Detailed design",
    "Engagement with partners", "Data collection", "The first phase", "Staff training",
    "The pilot", "Mobilisation of the new contract", "The draft strategy",
    "The equality impact assessment", "The baseline review", "Work on site",
];

#[rustfmt::skip]
pub(crate) const GREEN_PROGRESS: &[&str] = &[
    " is on schedule", " is under way and on track", " has been agreed by the project board",
    " is progressing in line with the plan", " completed this quarter",
    " was signed off by the directorate management team", " is ahead of schedule",
    " has started and early feedback is positive",
];

#[rustfmt::skip]
pub(crate) const GREEN_NEXT: &[&str] = &[
    "; the next milestone is due in ", "; a progress update will go to Cabinet in ",
    "; the next stage starts in ", "; the service expects to report results in ",
];

#[rustfmt::skip]
pub(crate) const AMBER_ISSUES: &[&str] = &[
    "Recruitment delays have slowed progress", "The contractor has reported supply chain delays",
    "Costs have risen above the original estimate", "Partner capacity has limited progress",
    "The consultation response rate was lower than expected",
    "Data quality issues have delayed the analysis",
    "Planning permission is taking longer than expected",
    "Confirmation of government funding is delayed",
    "Demand has risen faster than forecast",
    "A key member of the project team has left",
];

#[rustfmt::skip]
pub(crate) const RED_ISSUES: &[&str] = &[
    "Work has stopped while funding is reconfirmed",
    "The preferred contractor withdrew from the procurement",
    "Two key milestones have been missed",
    "The site survey found contamination that must be removed first",
    "The project is significantly over budget",
    "The legal challenge to the decision has paused delivery",
];

/// Corrective actions: every Amber and Red row names one of these, as officers are asked to.
#[rustfmt::skip]
pub(crate) const CORRECTIVE_ACTIONS: &[&str] = &[
    "a recovery plan has been agreed with the project board",
    "additional officer capacity has been assigned",
    "the timetable has been re-profiled and will be reported to Cabinet",
    "the contract is being re-tendered",
    "weekly progress meetings with the contractor are in place",
    "the risk has been escalated to the directorate management team",
    "an interim arrangement is in place while options are reviewed",
    "agency staff have been engaged to clear the backlog",
    "a revised budget will go to Cabinet for approval",
];

#[rustfmt::skip]
pub(crate) const NOT_STARTED_WAITS: &[&str] = &[
    "the funding is confirmed", "the project manager is in post",
    "the preceding phase is complete", "Cabinet has agreed the approach",
];

#[rustfmt::skip]
pub(crate) const ACHIEVEMENTS: &[&str] = &[
    "the new arrangements are now business as usual", "the final report was agreed by Cabinet",
    "the scheme opened to residents", "the new service went live",
    "monitoring continues through the service plan", "all milestones were met within budget",
];

#[rustfmt::skip]
pub(crate) const CEASED_REASONS: &[&str] = &[
    "the external funding bid was not successful",
    "the service has been recommissioned by the NHS",
    "it was superseded by a new strategy",
    "the government withdrew the grant programme",
    "Cabinet agreed not to proceed following consultation",
    "the partner organisation withdrew",
];

// ---- Corporate plan ---------------------------------------------------------------------

/// A priority theme: title, "Our priority is to …" summary, category, candidate outcomes.
pub(crate) struct ThemeDef {
    pub title: &'static str,
    pub summary: &'static str,
    pub category: Category,
    pub outcomes: &'static [&'static str],
}

pub(crate) const THEMES: &[ThemeDef] = &[
    ThemeDef {
        title: "Aspiration for our residents",
        summary: "support residents to live the best lives possible and to reach their potential",
        category: Category::People,
        outcomes: &[
            "Children and young people have the best start in life",
            "Good schools and achievement for all our pupils",
            "Lifelong learning helps people reach their potential",
            "Older and disabled residents live independently for longer",
            "Your life, your choice: working together towards the life you want",
        ],
    },
    ThemeDef {
        title: "A thriving local economy",
        summary: "secure investment so that current and future generations live in a thriving place",
        category: Category::Place,
        outcomes: &[
            "Good growth supported by better transport",
            "Thriving town centres and high streets",
            "More local people in good, well-paid jobs",
            "Businesses choose to start and grow here",
        ],
    },
    ThemeDef {
        title: "Cleaner, greener neighbourhoods",
        summary: "keep our streets and open spaces clean, green and well maintained",
        category: Category::Place,
        outcomes: &[
            "A cleaner and greener borough",
            "Less waste and more recycling",
            "Safe, well-maintained streets and open spaces",
            "A council on course for net zero",
        ],
    },
    ThemeDef {
        title: "Safe and strong communities",
        summary: "help residents feel safe, connected and proud of where they live",
        category: Category::People,
        outcomes: &[
            "Residents feel safe in their neighbourhoods",
            "Strong, cohesive and active communities",
            "Everyone can take part in culture, sport and leisure",
            "Support for residents through the cost of living",
        ],
    },
    ThemeDef {
        title: "An efficient and effective council",
        summary: "run an efficient and effective council that makes the most of our resources",
        category: Category::Council,
        outcomes: &[
            "A balanced budget and sound finances",
            "Easy-to-use digital services",
            "A skilled, motivated and diverse workforce",
            "Decisions made openly and with residents",
        ],
    },
    ThemeDef {
        title: "Health and wellbeing for all",
        summary: "help everyone live healthier lives for longer, wherever they live",
        category: Category::People,
        outcomes: &[
            "Healthier lives for longer",
            "Narrower gaps in health between neighbourhoods",
            "Good mental health and wellbeing",
            "Carers supported to care",
        ],
    },
    ThemeDef {
        title: "Homes for everyone",
        summary: "make sure everyone has a safe, secure and affordable home",
        category: Category::Place,
        outcomes: &[
            "More affordable homes",
            "Good-quality private rented homes",
            "Fewer households in temporary accommodation",
            "Homes that support independent living",
        ],
    },
];

#[rustfmt::skip]
pub(crate) const MISSION_AIMS: &[&str] = &[
    "supporting residents to live the best lives possible", "securing investment in the {area}",
    "running an efficient and effective council", "protecting the most vulnerable",
    "keeping our streets clean and safe", "building homes people can afford",
    "tackling the climate emergency", "giving every child the best start in life",
];

#[rustfmt::skip]
pub(crate) const PRINCIPLES: &[&str] = &[
    "We stand up for {place}", "We believe in a fairer {place}", "We work in partnership",
    "We are committed to early intervention and prevention", "We embrace change and innovation",
    "We are driven to make a difference for our residents", "We listen to our residents",
    "We spend public money wisely",
];

#[rustfmt::skip]
pub(crate) const VALUES: &[&str] = &[
    "Open and accessible", "Listening and responding", "Respect", "Integrity", "Ambition",
    "Working together", "Accountability", "Fairness",
];

/// Narrative sentences for outcomes, by category; "{place}" and "{area}" are filled in.
pub(crate) const NARRATIVE_PEOPLE: &[&str] = &[
    "We want everyone in {place} to be safe, healthy and able to reach their potential.",
    "We will work with schools, health partners and the voluntary sector to reduce inequalities between people and places in the {area}.",
    "We will focus on prevention and early help so that problems are tackled before they escalate.",
    "We will listen to residents who use our services and design support around what matters to them.",
    "We will make sure support is easy to find and available close to home.",
    "We know that some families face greater challenges, and we will target our help where it makes the most difference.",
    "We will use local data and evidence to decide where to invest.",
];

pub(crate) const NARRATIVE_PLACE: &[&str] = &[
    "{place} must grow sustainably, balancing new homes and jobs with protecting its heritage and green spaces.",
    "We will lobby for investment in better transport so that residents can reach jobs, homes and leisure.",
    "We will keep investing in the services residents tell us matter most: clean streets, parks and well-maintained roads.",
    "New development should bring infrastructure with it, from playgrounds to GP surgeries.",
    "We will work with businesses and landlords to bring empty units back into use.",
    "We will protect and enhance biodiversity across the {area}.",
    "We will use our planning powers to secure good design and affordable homes.",
];

pub(crate) const NARRATIVE_COUNCIL: &[&str] = &[
    "We will set a balanced budget every year and spend every pound carefully.",
    "We will make more of our services available online while keeping help available for those who need it.",
    "We will be open about our performance and report progress every quarter.",
    "We will develop our staff and make {place} a great place to work.",
    "We will work with neighbouring councils where sharing services gives better value.",
    "We will involve residents in the decisions that affect them.",
];

// ---- Indicators -------------------------------------------------------------------------

/// How an indicator is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// "89.0%" (one decimal) or "89.02%" (two decimals).
    Percent,
    /// "20,843"
    Count,
    /// "£3.4m", "£845k"
    Money,
    /// "8.4 days"
    Days,
    /// "512.4" (a rate)
    Rate,
}

/// Better when higher, lower, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    Higher,
    Lower,
    Neither,
}

/// An indicator: name, form, typical range, which way is better, how often it is measured
/// ("Monthly", "Quarterly", "Annual") and which kind of theme it reports under.
pub(crate) struct KpiDef {
    pub name: &'static str,
    pub form: Form,
    pub lo: f64,
    pub hi: f64,
    pub better: Better,
    pub frequency: &'static str,
    pub category: Category,
}

const fn kpi(
    name: &'static str,
    form: Form,
    lo: f64,
    hi: f64,
    better: Better,
    frequency: &'static str,
    category: Category,
) -> KpiDef {
    KpiDef {
        name,
        form,
        lo,
        hi,
        better,
        frequency,
        category,
    }
}

use Better::{Higher, Lower, Neither};
use Category::{Council, People, Place};
use Form::{Count, Days, Money, Percent, Rate};

#[rustfmt::skip]
pub(crate) const KPIS: &[KpiDef] = &[
    kpi("Percentage of invoices paid within 30 days of invoice date", Percent, 85.0, 95.0, Higher, "Monthly", Council),
    kpi("Percentage of council tax collected in year", Percent, 94.0, 97.5, Higher, "Monthly", Council),
    kpi("Percentage of business rates collected in year", Percent, 95.0, 99.0, Higher, "Monthly", Council),
    kpi("Average working days lost to sickness per employee", Days, 7.0, 10.0, Lower, "Quarterly", Council),
    kpi("Number of freedom of information requests received", Count, 800.0, 1600.0, Neither, "Annual", Council),
    kpi("Percentage of residents satisfied with the council website", Percent, 55.0, 75.0, Higher, "Annual", Council),
    kpi("Percentage of complaints responded to within 10 working days", Percent, 75.0, 92.0, Higher, "Quarterly", Council),
    kpi("Savings delivered against the medium-term financial strategy", Money, 1.0e6, 8.0e6, Higher, "Annual", Council),
    kpi("Income from the commercial property portfolio", Money, 4.0e5, 3.0e6, Higher, "Annual", Council),
    kpi("Percentage of adult social care users who feel safe and secure", Percent, 80.0, 90.0, Higher, "Annual", People),
    kpi("Permanent admissions to residential care of people aged 65 and over, per 100,000", Rate, 450.0, 650.0, Lower, "Annual", People),
    kpi("Percentage of older people still at home 91 days after reablement", Percent, 78.0, 90.0, Higher, "Quarterly", People),
    kpi("Number of carers receiving a carer's assessment", Count, 900.0, 2500.0, Higher, "Quarterly", People),
    kpi("Percentage of child protection plans lasting two years or more", Percent, 2.0, 6.0, Lower, "Quarterly", People),
    kpi("Percentage of care leavers in education, employment or training", Percent, 50.0, 68.0, Higher, "Quarterly", People),
    kpi("Number of children's centre contacts in the first 1,001 days", Count, 15000.0, 25000.0, Higher, "Quarterly", People),
    kpi("Percentage of pupils attending a good or outstanding school", Percent, 82.0, 95.0, Higher, "Annual", People),
    kpi("Percentage of education, health and care plans issued within 20 weeks", Percent, 40.0, 90.0, Higher, "Monthly", People),
    kpi("Number of households in temporary accommodation", Count, 300.0, 1500.0, Lower, "Monthly", Place),
    kpi("Number of households prevented from becoming homeless", Count, 250.0, 700.0, Higher, "Quarterly", Place),
    kpi("Number of new affordable homes delivered", Count, 80.0, 400.0, Higher, "Annual", Place),
    kpi("Percentage of household waste sent for reuse, recycling and composting", Percent, 38.0, 55.0, Higher, "Quarterly", Place),
    kpi("Number of fly-tipping incidents reported", Count, 2000.0, 6000.0, Lower, "Quarterly", Place),
    kpi("Percentage of major planning applications decided on time", Percent, 80.0, 98.0, Higher, "Quarterly", Place),
    kpi("Number of public electric vehicle charging points", Count, 50.0, 400.0, Higher, "Annual", Place),
    kpi("Percentage of principal roads where maintenance should be considered", Percent, 2.0, 8.0, Lower, "Annual", Place),
    kpi("Number of visits to libraries", Count, 300_000.0, 900_000.0, Higher, "Annual", People),
    kpi("Number of visits to leisure centres", Count, 400_000.0, 1_200_000.0, Higher, "Annual", People),
    kpi("Number of anti-social behaviour incidents reported", Count, 1500.0, 4000.0, Lower, "Quarterly", People),
    kpi("Percentage of residents who feel safe in their area after dark", Percent, 55.0, 75.0, Higher, "Annual", People),
    kpi("Number of residents supported into employment", Count, 150.0, 600.0, Higher, "Annual", Place),
    kpi("Value of external funding secured", Money, 2.0e6, 1.5e7, Higher, "Annual", Place),
    kpi("Average time to re-let council homes", Days, 25.0, 45.0, Lower, "Quarterly", Place),
    kpi("Percentage of mothers smoking at time of delivery", Percent, 4.0, 11.0, Lower, "Quarterly", People),
    kpi("Number of NHS health checks delivered", Count, 3000.0, 9000.0, Higher, "Quarterly", People),
    kpi("Percentage of calls to the contact centre answered within 60 seconds", Percent, 60.0, 90.0, Higher, "Monthly", Council),
];
