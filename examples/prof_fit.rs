use std::time::Instant;
fn main() {
    let n = 1_010_000usize; let p = 7;
    let mut s: u64 = 1;
    let mut rnd = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s >> 11) as f64 / (1u64 << 53) as f64 };
    let mut x = vec![0.0; n * p]; let mut y = vec![false; n];
    for i in 0..n { x[i*p] = 1.0; for j in 1..p { x[i*p+j] = rnd() * 2.0 - 1.0; } y[i] = rnd() < 0.01 + 0.02 * (x[i*p+1] + 1.0); }
    let names: Vec<String> = (0..p).map(|j| format!("c{j}")).collect();
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let f = utfall::matching::logit::fit_logit(&x, p, &y, &names).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert!(f.iterations > 0);
    }
    println!("best {best:.3} s");
}
