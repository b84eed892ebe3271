//! Checking a built scenario against its trace: tour stops, expectations and practice
//! questions must name steps and cells that exist.

use super::*;

pub(super) fn check_tour(steps: &[TourStep], trace: &Trace) -> Vec<ScenarioProblem> {
    let mut out = Vec::new();
    for (i, st) in steps.iter().enumerate() {
        let path = FieldPath::key("steps").at(i);
        let (name, head) = match tour_target(st) {
            Ok(t) => t,
            Err(e) => {
                out.push(ScenarioProblem::new(path.then("show"), e));
                continue;
            }
        };
        let step = match trace.step(&name) {
            Ok(s) => s,
            Err(e) => {
                out.push(ScenarioProblem::new(path.then("show"), e.to_string()));
                continue;
            }
        };
        let head = match (step.heads(), head) {
            (Some(_), None) => Some(0),
            (_, h) => h,
        };
        let m = match step.matrix(head) {
            Ok(m) => m,
            Err(e) => {
                out.push(ScenarioProblem::new(path.then("head"), e.to_string()));
                continue;
            }
        };
        if let Some([r, c]) = st.cell
            && (r >= m.nrows() || c >= m.ncols())
        {
            out.push(ScenarioProblem::new(
                path.then("cell"),
                format!(
                    "cell [{r}, {c}] is outside {} ({} × {})",
                    st.show,
                    m.nrows(),
                    m.ncols()
                ),
            ));
        }
    }
    out
}

/// Checks the form of expectations: a known address, exactly one check, a valid tolerance.
pub(super) fn check_expectations(expect: &[Expectation], trace: &Trace) -> Vec<ScenarioProblem> {
    let mut out = Vec::new();
    for (i, e) in expect.iter().enumerate() {
        let path = FieldPath::key("expect").at(i);
        let n = check::kinds(e).len();
        if n != 1 {
            out.push(ScenarioProblem::new(
                path.clone(),
                format!("has {n} checks: give exactly one of {CHECK_FIELDS}"),
            ));
        }
        if let Some(t) = e.tolerance
            && !(t.is_finite() && t >= 0.0)
        {
            out.push(ScenarioProblem::new(
                path.then("tolerance"),
                format!("= {t}: expected a finite number ≥ 0, such as 1e-4"),
            ));
        }
        match Address::parse(&e.at) {
            Err(err) => out.push(ScenarioProblem::new(path.then("at"), err.to_string())),
            Ok(a) => match check::explorer_step(trace, &a.name)
                .as_ref()
                .map_or_else(|| check::resolve(trace, &a), |s| check::resolve_in(s, &a))
            {
                Err(err) => out.push(ScenarioProblem::new(path.then("at"), err.to_string())),
                Ok(r) => {
                    if n == 1
                        && let Some((field, msg)) = check::form_problem(&r, e)
                    {
                        out.push(ScenarioProblem::new(path.then(field), msg));
                    }
                    if let Some(schema::ArgmaxSpec::Label(l)) = &e.argmax {
                        let labels = r.step.col_labels(r.head);
                        if !labels.iter().any(|x| x == l) {
                            out.push(ScenarioProblem::new(
                                path.then("argmax"),
                                format!(
                                    "= {l:?}: expected a column index or one of the column labels of {}: {}",
                                    r.step.name(),
                                    labels.join(", ")
                                ),
                            ));
                        }
                    }
                }
            },
        }
    }
    out
}

/// Checks practice items: an address that names a cell or a row of the trace (the same
/// errors as `expect`), a tolerance that is a finite number ≥ 0.
pub(super) fn check_practice(
    items: &[schema::PracticeSpec],
    trace: &Trace,
) -> Vec<ScenarioProblem> {
    let mut out = Vec::new();
    for (i, p) in items.iter().enumerate() {
        let path = FieldPath::key("practice").at(i);
        if let Some(t) = p.tolerance
            && !(t.is_finite() && t >= 0.0)
        {
            out.push(ScenarioProblem::new(
                path.then("tolerance"),
                format!("= {t}: expected a finite number ≥ 0, such as 0.01"),
            ));
        }
        match Address::parse(&p.at) {
            Err(err) => out.push(ScenarioProblem::new(path.then("at"), err.to_string())),
            Ok(a) => match check::resolve(trace, &a) {
                Err(err) => out.push(ScenarioProblem::new(path.then("at"), err.to_string())),
                Ok(r) if r.row.is_none() => {
                    let example = match (r.step.heads(), r.head) {
                        (Some(_), Some(h)) => format!("{}[{h}][0]", r.step.name()),
                        (Some(_), None) => format!("{}[0][0]", r.step.name()),
                        (None, _) => format!("{}[0]", r.step.name()),
                    };
                    out.push(ScenarioProblem::new(
                        path.then("at"),
                        format!(
                            "{} names a whole matrix: practice asks for one row (e.g. {example}) or one cell (e.g. {example}[0])",
                            p.at
                        ),
                    ));
                }
                Ok(_) => {}
            },
        }
    }
    out
}
