//! The report printed: the table of times, rates, memory and efficiency, and the results table's one-line row (README, docs/performance.md).

use super::*;

/// A size in MiB with the digits that matter.
pub(super) fn mib_text(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.1} MiB")
    } else if v >= 0.1 {
        format!("{v:.2} MiB")
    } else {
        format!("{:.1} KiB", v * 1024.0)
    }
}

pub(super) fn opt_mib(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), mib_text)
}

/// A FLOP count with a unit that fits.
pub(super) fn flop_text(f: u64) -> String {
    let f = f as f64;
    if f >= 1e9 {
        format!("{:.3} GFLOP", f / 1e9)
    } else {
        format!("{:.3} MFLOP", f / 1e6)
    }
}

/// The report as the table `qkv bench` prints.
#[expect(clippy::too_many_lines, reason = "the report's table rows in order.")]
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let [d, h, f] = r.sizes;
    let layers = match r.layers {
        [e, 0] => format!("{e} encoder layers"),
        [0, dl] => format!("{dl} decoder layers"),
        [e, dl] => format!("{e}+{dl} layers"),
    };
    s.push_str(&format!(
        "qkv bench: {} ({}, d_model {d}, {h} heads, d_ff {f}, {layers}), {} source{} tokens, vocabulary {}, {} rounds, {} threads\n\n",
        r.preset,
        r.arch,
        r.source_tokens,
        if r.target_tokens > 0 {
            format!(" + {} target", r.target_tokens)
        } else {
            String::new()
        },
        r.vocab,
        r.repeat,
        r.threads
    ));
    s.push_str("512×512×512 f32 product       best GFLOP/s   median\n");
    for p in &r.products {
        let mark = if p.gflops == r.attainable_gflops {
            "  ← attainable"
        } else {
            ""
        };
        s.push_str(&format!(
            "  {:<34} {:>9.1} {:>8.1}{mark}\n",
            p.backend, p.gflops, p.median_gflops
        ));
    }
    s.push_str(&format!(
        "\nforward pass with full trace   median {:.3} ms (min {:.3}, max {:.3})\n",
        r.forward.median_ms, r.forward.min_ms, r.forward.max_ms
    ));
    s.push_str(&format!(
        "  products {} (cost::flops) → {:.1} GFLOP/s, efficiency {:.2} of {:.1} (paired per round: {:.2})\n",
        flop_text(r.forward_flop),
        r.forward_gflops,
        r.efficiency,
        r.attainable_gflops,
        r.paired_efficiency
    ));
    let b = &r.bandwidth;
    s.push_str(&format!(
        "  weights read {} per pass → {:.1} GB/s, {:.2} of the machine's streaming read ({:.1} GB/s)\n",
        mib_text(b.pass_weight_bytes as f64 / MIB),
        b.pass_read_gbs,
        b.fraction,
        b.stream_read_gbs
    ));
    s.push_str(&format!(
        "rerun after toggling scale     median {:.3} ms (min {:.3}, max {:.3})\n",
        r.rerun_after_toggle.median_ms, r.rerun_after_toggle.min_ms, r.rerun_after_toggle.max_ms
    ));
    s.push_str(&format!(
        "  {:.2} of the forward pass's time (paired per round)\n",
        r.rerun_over_forward
    ));
    s.push_str(&format!(
        "rerun comparing heads (session) median {:.3} ms (min {:.3}, max {:.3}), {:.2} of the rerun's time\n",
        r.compared_rerun.median_ms,
        r.compared_rerun.min_ms,
        r.compared_rerun.max_ms,
        r.compared_over_rerun
    ));
    s.push_str(&format!(
        "diff of the two traces         median {:.3} ms (min {:.3}, max {:.3}), {:.2} of the rerun's time\n",
        r.diff_after_toggle.median_ms,
        r.diff_after_toggle.min_ms,
        r.diff_after_toggle.max_ms,
        r.diff_over_rerun
    ));
    s.push_str(&format!(
        "  all that showing the changes costs, (session rerun − rerun) + diff: {:.2} of the rerun's time (paired per round)\n",
        r.diff_cost_over_rerun
    ));
    if let Some(sh) = &r.shapes {
        s.push_str("products timed alone, shape by shape (a head's on one thread; the heads share the cores)\n");
        for x in &sh.rates {
            s.push_str(&format!(
                "  {:<34} {:>5}×{:<5}·{:>5}×{:<5} ×{:<4} {:>7.1} GFLOP/s{}\n",
                x.what,
                x.rows,
                x.inner,
                x.inner,
                x.cols,
                x.count,
                x.gflops,
                if x.per_head { " per thread" } else { "" }
            ));
        }
        s.push_str(&format!(
            "  the pass's products at these rates: {:.3} ms, {:.2} of the pass's median time\n",
            sh.products_alone_ms, sh.fraction_of_pass
        ));
    }
    if let Some(t) = &r.train_step {
        s.push_str(&format!(
            "training step (forward, backward, Adam) median {:.3} ms (min {:.3}, max {:.3}), {:.2}× a forward pass of the same model ({:.3} ms; paired per round)\n",
            t.step.median_ms, t.step.min_ms, t.step.max_ms, t.step_over_forward, t.forward.median_ms
        ));
        if let Some(f) = t.page_faults_per_step {
            s.push_str(&format!(
                "  page faults per step: {f:.0} (minor, the whole process; median over the rounds)\n"
            ));
        }
    }
    match &r.first_trace {
        Some(ft) => s.push_str(&format!(
            "first trace from process start {:.1} ms (in the child: model {:.2} ms, forward {:.2} ms)\n",
            ft.from_process_start_ms, ft.init_ms, ft.forward_ms
        )),
        None => s.push_str("first trace from process start not measured\n"),
    }
    let m = &r.memory;
    let rows = [
        (
            "weights",
            mib_text(m.weights_predicted_mib),
            opt_mib(m.weights_measured_mib),
            "RSS after building the model − before",
        ),
        (
            "trace kept",
            mib_text(m.trace_predicted_mib),
            mib_text(m.trace_counted_mib),
            "counted buffer by buffer",
        ),
        (
            "trace peak (kept + working)",
            mib_text(m.trace_predicted_mib + m.working_predicted_mib),
            opt_mib(m.trace_peak_measured_mib),
            "VmHWM − RSS before the forward pass",
        ),
        (
            "heads a session keeps",
            m.session_heads_predicted_mib
                .map_or_else(|| "not kept".to_string(), mib_text),
            mib_text(m.session_heads_counted_mib),
            "counted; kept when they fit the budget",
        ),
        (
            "process peak",
            opt_mib(m.process_peak_predicted_mib),
            opt_mib(m.process_peak_measured_mib),
            "VmHWM; predicted: program + weights + trace peak",
        ),
    ];
    s.push_str("\nmemory                          predicted     measured\n");
    for (what, predicted, measured, how) in rows {
        s.push_str(&format!(
            "  {what:<28} {predicted:>11} {measured:>12}   ({how})\n"
        ));
    }
    s.push_str(&format!(
        "  buffers pooled for reuse after the rounds: {} (at most {} MiB)\n",
        mib_text(m.pooled_after_mib),
        crate::buffers::MAX_BYTES >> 20
    ));
    if let Some(load) = r.load_average {
        s.push_str(&format!(
            "\nload average when the bench started: {load:.2} (other work competes for the {} cores)\n",
            r.threads
        ));
    }
    s
}

/// One row of the results table (README, docs/performance.md):
/// `| preset | arch | tokens | ms | GFLOP/s | efficiency | peak MiB |`.
pub fn table_row(r: &Report) -> String {
    format!(
        "| {} | {} | {} | {:.2} | {:.1} | {:.2} | {} |",
        r.preset,
        r.arch,
        r.source_tokens,
        r.forward.median_ms,
        r.forward_gflops,
        r.efficiency,
        r.memory
            .process_peak_measured_mib
            .map_or_else(|| "n/a".to_string(), |v| format!("{v:.0}"))
    )
}
