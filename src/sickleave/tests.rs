use super::*;
use crate::dates::{month_key, ymd, Horizon};

fn d(y: i32, m: u32, day: u32) -> i32 {
    ymd(y, m, day).unwrap()
}

/// Employee 0: a spell 2016-01-25..2016-02-12 (19 days) at 50 %; employee 1
/// joins on 2016-02-15 with a 3-day spell at 100 % from 2016-02-27.
fn small() -> Register {
    Register::new(RegisterInput {
        n_employees: 2,
        spell_employee: vec![0, 1],
        spell_first: vec![d(2016, 1, 25), d(2016, 2, 27)],
        spell_last: vec![d(2016, 2, 12), d(2016, 2, 29)],
        spell_extent: vec![0.5, 1.0],
        employment: Some((vec![0, 1], vec![d(2010, 1, 1), d(2016, 2, 15)], vec![ONGOING, ONGOING])),
        data_end: d(2016, 12, 31),
    })
    .unwrap()
}

#[test]
fn net_days_split_at_months_and_clipped_at_day_14() {
    let r = small();
    let jan = month_key(d(2016, 1, 1));
    let short = r.net_days(DayRange::SHORT_TERM, jan, 2);
    // Days 1-14 of employee 0: Jan 25..31 (7 days) and Feb 1..7 (7 days), at 0.5.
    assert_eq!(short, vec![3.5, 3.5, 0.0, 3.0]);
    let long = r.net_days(DayRange::LONG_TERM, jan, 2);
    assert_eq!(long, vec![0.0, 2.5, 0.0, 0.0]);
    assert_eq!(r.net_days(DayRange::QUALIFYING, jan, 2), vec![0.5, 0.0, 0.0, 1.0]);
    let employed = r.employed(jan, 2);
    assert_eq!(employed, vec![1.0, 1.0, 0.0, 15.0 / 29.0]);
    assert_eq!(r.spell_starts(jan, 2), vec![1.0, 0.0, 0.0, 1.0]);
}

#[test]
fn risk_group_window_excludes_exactly_twelve_months_before() {
    // Four one-day spells, the first exactly 12 months before 2016-03-01; a fifth on 2016-06-01.
    let firsts = vec![d(2015, 3, 1), d(2015, 6, 1), d(2015, 9, 1), d(2016, 1, 4), d(2016, 6, 1)];
    let n = firsts.len();
    let r = Register::new(RegisterInput {
        n_employees: 1,
        spell_employee: vec![0; n],
        spell_last: firsts.clone(),
        spell_first: firsts,
        spell_extent: vec![1.0; n],
        employment: None,
        data_end: d(2017, 12, 31),
    })
    .unwrap();
    let at = |day: i32| r.risk_group(day, 3, Horizon::Months(12));
    // The day before: all four in (2015-02-28, 2016-02-29]: more than three.
    assert_eq!((at(d(2016, 2, 29)).spells[0], at(d(2016, 2, 29)).at_risk[0]), (4, true));
    // On 2016-03-01 the spell of 2015-03-01 is exactly 12 months back and outside.
    assert_eq!((at(d(2016, 3, 1)).spells[0], at(d(2016, 3, 1)).at_risk[0]), (3, false));
    // A spell on the date itself counts.
    assert_eq!(at(d(2016, 6, 1)).spells[0], 3);
    assert_eq!(at(d(2016, 5, 31)).spells[0], 3, "2015-06-01 is inside, 2016-06-01 not yet");
    // A threshold of two and a six-month window are parameters.
    assert!(r.risk_group(d(2016, 6, 1), 1, Horizon::Months(6)).at_risk[0]);
    // At risk on 2016-02-29; a year later one spell (2016-06-01) in the window.
    let t = r.turnover(&[d(2016, 2, 29), d(2017, 2, 28), d(2018, 2, 28)], 3, Horizon::Months(12));
    assert_eq!(t.status, vec![1, Turnover::NOT_IN_GROUP]);
}

#[test]
fn bad_input_names_the_row() {
    let base = RegisterInput {
        n_employees: 1,
        spell_employee: vec![0, 0],
        spell_first: vec![d(2016, 1, 1), d(2016, 1, 5)],
        spell_last: vec![d(2016, 1, 10), d(2016, 1, 7)],
        spell_extent: vec![1.0, 1.0],
        employment: None,
        data_end: d(2016, 12, 31),
    };
    let row = |input: RegisterInput| match Register::new(input) {
        Err(crate::Error::Data { location, .. }) => (location.table, location.column, location.row),
        other => panic!("expected a data error, got {other:?}"),
    };
    assert_eq!(row(base.clone()), ("spells", "first_day", Some(1)));
    let mut extent = base.clone();
    extent.spell_first[1] = d(2016, 2, 1);
    extent.spell_last[1] = d(2016, 2, 1);
    extent.spell_extent[1] = 1.5;
    assert_eq!(row(extent.clone()), ("spells", "extent", Some(1)));
    let mut outside = extent.clone();
    outside.spell_extent[1] = 1.0;
    outside.employment = Some((vec![0], vec![d(2015, 1, 1)], vec![d(2016, 1, 31)]));
    assert_eq!(row(outside), ("spells", "first_day", Some(1)));
    let mut unknown = extent;
    unknown.spell_extent[1] = 1.0;
    unknown.spell_employee[0] = -1;
    assert_eq!(row(unknown), ("spells", "id", Some(0)));
}

fn flat_register(months: usize) -> Register {
    // Two employees, each with one 5-day spell on the 3rd of every month.
    let mut input = RegisterInput { n_employees: 2, data_end: d(2021, 12, 31), ..Default::default() };
    let first = month_key(d(2015, 9, 1));
    for who in 0..2 {
        for k in 0..months as i32 {
            let start = crate::dates::month_start(first + k) + 2;
            input.spell_employee.push(who);
            input.spell_first.push(start);
            input.spell_last.push(start + 4 - who as i32);
            input.spell_extent.push(1.0);
        }
    }
    Register::new(input).unwrap()
}

fn run(reg: &Register, ratio: f64, value: f64) -> GroupResult {
    let input = EvaluationInput {
        reference_month: month_key(d(2015, 9, 1)),
        observation_month: month_key(d(2018, 9, 1)),
        n_months: 36,
        trend_ratio: vec![ratio; 36],
        groups: None,
        n_groups: 1,
        clusters: None,
        value_of_a_day: vec![value],
        n_resamples: 20,
        seed: 3,
    };
    evaluate(reg, &input).unwrap().groups.remove(0)
}

#[test]
fn se_follows_the_trend_and_the_saving_is_floored() {
    // Reference: employee 0 has 5 days, employee 1 has 4 days per month; observation: none.
    let reg = flat_register(36);
    let g = run(&reg, 1.0, 1000.0);
    assert_eq!(g.estimate[0], 4.5);
    assert_eq!(g.estimate[1], 0.0);
    assert_eq!(g.estimate[5], 4.5 * 1000.0 * 72.0);
    let doubled = run(&reg, 2.0, 1000.0);
    assert_eq!(doubled.estimate[0], 9.0);
    // Spells in both periods and a falling trend: Sn > Se, no saving.
    let both = flat_register(72);
    let g = run(&both, 0.5, 1000.0);
    assert_eq!((g.estimate[0], g.estimate[1]), (2.25, 4.5));
    assert_eq!((g.estimate[3], g.estimate[5]), (0.0, 0.0));
    // Replicates are the same on any thread count.
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| run(&both, 0.5, 1000.0));
    assert_eq!(one.replicates, g.replicates);
}

#[test]
fn synthetic_is_deterministic_across_threads() {
    let a = synthetic::register(300, 0.12, 5);
    let b =
        rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| synthetic::register(300, 0.12, 5));
    assert_eq!(a.spell_first, b.spell_first);
    assert_eq!(a.spell_extent, b.spell_extent);
    assert_eq!(a.salary, b.salary);
    let reg = Register::new(RegisterInput {
        n_employees: a.salary.len(),
        spell_employee: a.spell_employee.clone(),
        spell_first: a.spell_first.clone(),
        spell_last: a.spell_last.clone(),
        spell_extent: a.spell_extent.clone(),
        employment: Some(((0..a.salary.len() as i64).collect(), a.employment_first.clone(), a.employment_last.clone())),
        data_end: a.data_end,
    });
    assert!(reg.is_ok(), "{:?}", reg.err());
}

#[test]
fn column_major_net_days_match_row_major() {
    let s = synthetic::register(100, 0.1, 9);
    let n = s.salary.len();
    let reg = Register::new(RegisterInput {
        n_employees: n,
        spell_employee: s.spell_employee,
        spell_first: s.spell_first,
        spell_last: s.spell_last,
        spell_extent: s.spell_extent,
        employment: None,
        data_end: s.data_end,
    })
    .unwrap();
    let k = month_key(d(2014, 1, 1));
    let rows = reg.net_days(DayRange::SHORT_TERM, k, 96);
    let cols = reg.net_days_by_column(DayRange::SHORT_TERM, k, 96);
    for i in 0..n {
        for m in 0..96 {
            assert_eq!(rows[i * 96 + m].to_bits(), cols[m * n + i].to_bits());
        }
    }
}

#[test]
fn column_major_net_days_do_not_depend_on_threads_or_chunks() {
    // Several thousand employees: many chunks of the column-major pass, the last one partial.
    let s = synthetic::register(1500, 0.1, 4);
    let n = s.salary.len();
    assert!(n > 2000 && n % 512 != 0, "{n} employees");
    let reg = Register::new(RegisterInput {
        n_employees: n,
        spell_employee: s.spell_employee,
        spell_first: s.spell_first,
        spell_last: s.spell_last,
        spell_extent: s.spell_extent,
        employment: None,
        data_end: s.data_end,
    })
    .unwrap();
    let k = month_key(d(2014, 1, 1));
    for range in [DayRange::SHORT_TERM, DayRange::new(15, None).unwrap(), DayRange::new(1, Some(1)).unwrap()] {
        let rows = reg.net_days(range, k, 96);
        let runs: Vec<Vec<u64>> = [1, 2, 5]
            .iter()
            .map(|&t| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
                // Garbage in the output buffer first: every cell must be written.
                let mut out = vec![f64::NAN; n * 96];
                pool.install(|| reg.net_days_by_column_into(range, k, 96, &mut out));
                out.iter().map(|v| v.to_bits()).collect()
            })
            .collect();
        assert!(runs.iter().all(|r| r == &runs[0]));
        for i in 0..n {
            for m in 0..96 {
                assert_eq!(rows[i * 96 + m].to_bits(), runs[0][m * n + i]);
            }
        }
    }
}

#[test]
fn caller_sizes_are_checked_before_they_index_or_allocate() {
    // docs/unwraps.md: groups and clusters were indexed by employee, n_groups and
    // n_resamples allocated, without a check.
    let reg = flat_register(36);
    let base = EvaluationInput {
        reference_month: month_key(d(2015, 9, 1)),
        observation_month: month_key(d(2018, 9, 1)),
        n_months: 36,
        trend_ratio: vec![1.0; 36],
        groups: None,
        n_groups: 1,
        clusters: None,
        value_of_a_day: vec![1000.0],
        n_resamples: 20,
        seed: 3,
    };
    let refused = |input: EvaluationInput, says: &str| match evaluate(&reg, &input) {
        Err(crate::Error::Spec(m)) => assert!(m.contains(says), "{m}"),
        other => panic!("expected a SpecError saying {says:?}, got {:?}", other.map(|_| ())),
    };
    refused(EvaluationInput { groups: Some(vec![0]), ..base.clone() }, "groups: 1 values for 2 employees");
    refused(EvaluationInput { clusters: Some(vec![0; 5]), ..base.clone() }, "clusters: 5 values for 2 employees");
    refused(
        EvaluationInput { n_groups: usize::MAX, value_of_a_day: vec![], ..base.clone() },
        "one value of a sick day per group",
    );
    refused(EvaluationInput { n_resamples: usize::MAX / 2, ..base.clone() }, "above the limit");
    assert!(evaluate(&reg, &base).is_ok());
}
