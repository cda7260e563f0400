//! The London Borough of Bexley's five published pages, compiled in: the demo's data, and the
//! documents the tests and benchmarks load through the real import path.

pub const BEXLEY: [(&str, &[u8]); 5] = [
    (
        "bexley/corporate-plan.txt",
        include_bytes!("../../../fixtures/bexley/corporate-plan.txt"),
    ),
    (
        "bexley/principles.txt",
        include_bytes!("../../../fixtures/bexley/principles.txt"),
    ),
    (
        "bexley/action-delivery-plan-2024-12.txt",
        include_bytes!("../../../fixtures/bexley/action-delivery-plan-2024-12.txt"),
    ),
    (
        "bexley/annual-performance-report-2024-25.txt",
        include_bytes!("../../../fixtures/bexley/annual-performance-report-2024-25.txt"),
    ),
    (
        "bexley/childrens-services-vision.txt",
        include_bytes!("../../../fixtures/bexley/childrens-services-vision.txt"),
    ),
];
