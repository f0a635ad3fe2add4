;; exp, logsumexp and softmax over rows in WebAssembly SIMD (f64x2), hand-written; compiled to
;; bytes at build time by packages/autodiff/scripts/build-wasm.mjs (wabt's wat2wasm) into
;; generated/exp.ts. The JS side (kernels/exp-wasm.ts) copies blocks of rows in and results out.
;;
;; exp(x), two lanes at a time: k = nearest(x / ln2), r = x - k ln2_hi - k ln2_lo (Cody-Waite:
;; ln2_hi has 32 significant bits, so k ln2_hi is exact for |k| < 2^21), |r| <= ln2/2; e^r is its
;; Taylor polynomial to degree 13 (truncation < r^14/14! < 4e-18 relative) in Estrin form (a short
;; dependency chain); 2^k is built from its bits. Lanes outside (-708, 709) or NaN: below -746 the
;; result is 0 (as is Math.exp's); the rest (NaN, +inf, the subnormal band, overflow) call the
;; imported Math.exp, so they equal it exactly. Error in (-708, 709): under 2 ulp measured
;; (test/autodiff/kernels/exp-wasm.test.ts holds it under 6e-16 relative, the bound of fast-exp.ts).
;; The exp body is written out in each hot loop (V8 11 does not inline WebAssembly calls: a call
;; per two lanes cost ~40%), and those loops only note lanes out of range; a run with any is
;; redone through $expv, which handles them. Loops are written as guarded do-while loops (the
;; test at the bottom): V8 ran the exp loop 40% slower as a while loop (test at the top).
(module
  (import "js" "exp" (func $slow (param f64) (result f64)))
  (memory (export "memory") 1)

  ;; exp of two lanes, every lane handled (tails, and runs redone because of out-of-range lanes)
  (func $expv (param $in v128) (result v128)
    (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $poly v128) (local $y v128) (local $bad v128)
    (local.set $x (local.get $in))
    ;; t = x / ln2 + 1.5 * 2^52: its low bits hold k = nearest(x / ln2)
    (local.set $t (f64x2.add (f64x2.mul (local.get $x) (v128.const f64x2 1.4426950408889634 1.4426950408889634)) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
    (local.set $k (f64x2.sub (local.get $t) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
    ;; r = x - k ln2, with ln2 = ln2_hi + ln2_lo (Cody-Waite)
    (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 0.6931471803691238 0.6931471803691238)))
                             (f64x2.mul (local.get $k) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
    ;; e^r = sum r^i / i!, i <= 13, in Estrin form: pairs (c_2j + c_2j+1 r), then r^2, r^4, r^8
    (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
    (local.set $poly (f64x2.add
      (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (local.get $r) (v128.const f64x2 1.0 1.0))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $r) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))))
                 (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (local.get $r) (v128.const f64x2 0.008333333333333333 0.008333333333333333))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (local.get $r) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))))))
      (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                 (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (local.get $r) (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (local.get $r) (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08))))) (f64x2.mul (local.get $r4) (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (local.get $r) (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10))))))))
    ;; times 2^k, built from its bits: the low bits of t are (bits of 1.5 * 2^52) + k, and the shift
    ;; by 52 keeps only k + 1023 (the constant's low 12 bits are zero)
    (local.set $y (f64x2.mul (local.get $poly) (i64x2.shl (i64x2.add (local.get $t) (v128.const i64x2 1023 1023)) (i32.const 52))))
    ;; lanes outside (-708, 709), NaN included, are redone one at a time
    (if (v128.any_true (v128.not (v128.and (f64x2.gt (local.get $x) (v128.const f64x2 -708.0 -708.0)) (f64x2.lt (local.get $x) (v128.const f64x2 709.0 709.0)))))
      (then (local.set $y (call $edges (local.get $x) (local.get $y)))))
    (local.get $y)
  )

  ;; y with each lane outside (-708, 709) replaced: 0 below -746, Math.exp(x) otherwise
  (func $edges (param $x v128) (param $y v128) (result v128)
    (f64x2.replace_lane 1
      (f64x2.replace_lane 0 (local.get $y) (call $edge (f64x2.extract_lane 0 (local.get $x)) (f64x2.extract_lane 0 (local.get $y))))
      (call $edge (f64x2.extract_lane 1 (local.get $x)) (f64x2.extract_lane 1 (local.get $y))))
  )

  (func $edge (param $x f64) (param $y f64) (result f64)
    (if (i32.and (f64.gt (local.get $x) (f64.const -708)) (f64.lt (local.get $x) (f64.const 709)))
      (then (return (local.get $y))))
    (if (f64.lt (local.get $x) (f64.const -746)) (then (return (f64.const 0))))
    (call $slow (local.get $x))
  )

  ;; dst[i] = exp(src[i]) for i < count (byte offsets; dst must not overlap src)
  (func (export "exp") (param $src i32) (param $dst i32) (param $count i32)
    (local $end i32) (local $p i32) (local $q i32) (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $poly v128) (local $y v128) (local $bad v128)
    (local.set $end (i32.add (local.get $src) (i32.mul (i32.and (local.get $count) (i32.const -2)) (i32.const 8))))
    (local.set $p (local.get $src))
    (local.set $q (local.get $dst))
    (if (i32.lt_u (local.get $p) (local.get $end)) (then
      (loop $l
        (local.set $x (v128.load (local.get $p)))
        ;; t = x / ln2 + 1.5 * 2^52: its low bits hold k = nearest(x / ln2)
        (local.set $t (f64x2.add (f64x2.mul (local.get $x) (v128.const f64x2 1.4426950408889634 1.4426950408889634)) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
        (local.set $k (f64x2.sub (local.get $t) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
        ;; r = x - k ln2, with ln2 = ln2_hi + ln2_lo (Cody-Waite)
        (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 0.6931471803691238 0.6931471803691238)))
                                 (f64x2.mul (local.get $k) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
        ;; e^r = sum r^i / i!, i <= 13, in Estrin form: pairs (c_2j + c_2j+1 r), then r^2, r^4, r^8
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $poly (f64x2.add
          (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (local.get $r) (v128.const f64x2 1.0 1.0))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $r) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))))
                     (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (local.get $r) (v128.const f64x2 0.008333333333333333 0.008333333333333333))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (local.get $r) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))))))
          (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                     (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (local.get $r) (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (local.get $r) (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08))))) (f64x2.mul (local.get $r4) (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (local.get $r) (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10))))))))
        ;; times 2^k, built from its bits: the low bits of t are (bits of 1.5 * 2^52) + k, and the shift
        ;; by 52 keeps only k + 1023 (the constant's low 12 bits are zero)
        (local.set $y (f64x2.mul (local.get $poly) (i64x2.shl (i64x2.add (local.get $t) (v128.const i64x2 1023 1023)) (i32.const 52))))
        ;; lanes outside (-708, 709), NaN included, are only noted here: a call in this loop would
        ;; make V8 spill the vector registers (the whole run is redone through $expv if any)
        (local.set $bad (v128.or (local.get $bad) (v128.not (v128.and (f64x2.gt (local.get $x) (v128.const f64x2 -708.0 -708.0)) (f64x2.lt (local.get $x) (v128.const f64x2 709.0 709.0))))))
        (v128.store (local.get $q) (local.get $y))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $p) (local.get $end))))))
    (if (v128.any_true (local.get $bad))
      (then
        (local.set $p (local.get $src))
        (local.set $q (local.get $dst))
        (if (i32.lt_u (local.get $p) (local.get $end)) (then
          (loop $sl
            (v128.store (local.get $q) (call $expv (v128.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $sl (i32.lt_u (local.get $p) (local.get $end))))))))
    (if (i32.and (local.get $count) (i32.const 1))
      (then (f64.store (local.get $q) (f64x2.extract_lane 0 (call $expv (v128.load64_splat (local.get $p)))))))
  )

  ;; the max of n doubles from p (NaN if any is NaN, -inf if n = 0)
  (func $rowmax (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $m v128)
    (local.set $m (v128.const f64x2 -inf -inf))
    (local.set $end (i32.add (local.get $p) (i32.mul (i32.and (local.get $n) (i32.const -2)) (i32.const 8))))
    (if (i32.lt_u (local.get $p) (local.get $end)) (then
      (loop $l
        (local.set $m (f64x2.max (local.get $m) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $p) (local.get $end))))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (local.set $m (f64x2.max (local.get $m) (v128.load64_splat (local.get $p))))))
    (f64.max (f64x2.extract_lane 0 (local.get $m)) (f64x2.extract_lane 1 (local.get $m)))
  )

  ;; sum of exp(v - m) over n doubles from p; with store = 1 each exp(v - m) is also written to q
  ;; (q must not overlap p)
  (func $rowexp (param $p i32) (param $q i32) (param $n i32) (param $m f64) (param $store i32) (result f64)
    (local $end i32) (local $mv v128) (local $s v128) (local $p0 i32) (local $q0 i32) (local $x v128) (local $t v128) (local $k v128) (local $r v128) (local $r2 v128) (local $r4 v128) (local $poly v128) (local $y v128) (local $bad v128)
    (local.set $mv (f64x2.splat (local.get $m)))
    (local.set $p0 (local.get $p))
    (local.set $q0 (local.get $q))
    (local.set $end (i32.add (local.get $p) (i32.mul (i32.and (local.get $n) (i32.const -2)) (i32.const 8))))
    (if (i32.lt_u (local.get $p) (local.get $end)) (then
      (loop $l
        (local.set $x (f64x2.sub (v128.load (local.get $p)) (local.get $mv)))
        ;; t = x / ln2 + 1.5 * 2^52: its low bits hold k = nearest(x / ln2)
        (local.set $t (f64x2.add (f64x2.mul (local.get $x) (v128.const f64x2 1.4426950408889634 1.4426950408889634)) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
        (local.set $k (f64x2.sub (local.get $t) (v128.const f64x2 6755399441055744.0 6755399441055744.0)))
        ;; r = x - k ln2, with ln2 = ln2_hi + ln2_lo (Cody-Waite)
        (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 0.6931471803691238 0.6931471803691238)))
                                 (f64x2.mul (local.get $k) (v128.const f64x2 1.9082149292705877e-10 1.9082149292705877e-10))))
        ;; e^r = sum r^i / i!, i <= 13, in Estrin form: pairs (c_2j + c_2j+1 r), then r^2, r^4, r^8
        (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
        (local.set $r4 (f64x2.mul (local.get $r2) (local.get $r2)))
        (local.set $poly (f64x2.add
          (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (local.get $r) (v128.const f64x2 1.0 1.0))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $r) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))))
                     (f64x2.mul (local.get $r4) (f64x2.add (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (local.get $r) (v128.const f64x2 0.008333333333333333 0.008333333333333333))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (local.get $r) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))))))
          (f64x2.mul (f64x2.mul (local.get $r4) (local.get $r4))
                     (f64x2.add (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (local.get $r) (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06))) (f64x2.mul (local.get $r2) (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (local.get $r) (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08))))) (f64x2.mul (local.get $r4) (f64x2.add (v128.const f64x2 2.08767569878681e-09 2.08767569878681e-09) (f64x2.mul (local.get $r) (v128.const f64x2 1.6059043836821613e-10 1.6059043836821613e-10))))))))
        ;; times 2^k, built from its bits: the low bits of t are (bits of 1.5 * 2^52) + k, and the shift
        ;; by 52 keeps only k + 1023 (the constant's low 12 bits are zero)
        (local.set $y (f64x2.mul (local.get $poly) (i64x2.shl (i64x2.add (local.get $t) (v128.const i64x2 1023 1023)) (i32.const 52))))
        ;; lanes outside (-708, 709), NaN included, are only noted here: a call in this loop would
        ;; make V8 spill the vector registers (the whole run is redone through $expv if any)
        (local.set $bad (v128.or (local.get $bad) (v128.not (v128.and (f64x2.gt (local.get $x) (v128.const f64x2 -708.0 -708.0)) (f64x2.lt (local.get $x) (v128.const f64x2 709.0 709.0))))))
        (if (local.get $store) (then (v128.store (local.get $q) (local.get $y))))
        (local.set $s (f64x2.add (local.get $s) (local.get $y)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $p) (local.get $end))))))
    (if (v128.any_true (local.get $bad))
      (then
        ;; the row again, with out-of-range lanes handled
        (local.set $s (v128.const f64x2 0 0))
        (local.set $p (local.get $p0))
        (local.set $q (local.get $q0))
        (if (i32.lt_u (local.get $p) (local.get $end)) (then
          (loop $sl
            (local.set $y (call $expv (f64x2.sub (v128.load (local.get $p)) (local.get $mv))))
            (if (local.get $store) (then (v128.store (local.get $q) (local.get $y))))
            (local.set $s (f64x2.add (local.get $s) (local.get $y)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br_if $sl (i32.lt_u (local.get $p) (local.get $end))))))))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        ;; the last element alone, in lane 0 (lane 1 of the splat is dropped)
        (local.set $y (call $expv (f64x2.sub (v128.load64_splat (local.get $p)) (local.get $mv))))
        (if (local.get $store) (then (f64.store (local.get $q) (f64x2.extract_lane 0 (local.get $y)))))
        (local.set $s (f64x2.add (local.get $s) (f64x2.replace_lane 1 (local.get $y) (f64.const 0))))))
    (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s)))
  )

  ;; for each of `rows` rows of n doubles from src: m = max, s = sum exp(v - m), stored as the pair
  ;; (m, s) at out + 16 * row (the JS side finishes logsumexp = m + log s)
  (func (export "lse") (param $src i32) (param $out i32) (param $rows i32) (param $n i32)
    (local $m f64) (local $row i32)
    (if (i32.lt_u (local.get $row) (local.get $rows)) (then
      (loop $l
        (local.set $m (call $rowmax (local.get $src) (local.get $n)))
        (f64.store (local.get $out) (local.get $m))
        (f64.store offset=8 (local.get $out) (call $rowexp (local.get $src) (i32.const 0) (local.get $n) (local.get $m) (i32.const 0)))
        (local.set $src (i32.add (local.get $src) (i32.mul (local.get $n) (i32.const 8))))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $row) (local.get $rows))))))
  )

  ;; softmax of each of `rows` rows of n doubles, from src to dst (not overlapping):
  ;; exp(v - m) / sum exp(v - m), with m the row's max; the division is a multiply by 1/s.
  ;; Each row's (m, s) is stored at pairs + 16 * row, as by "lse" (logsumexp comes for free).
  (func (export "softmax") (param $src i32) (param $dst i32) (param $rows i32) (param $n i32) (param $pairs i32)
    (local $m f64) (local $s f64) (local $row i32) (local $inv v128) (local $q i32) (local $end i32)
    (if (i32.lt_u (local.get $row) (local.get $rows)) (then
      (loop $l
        (local.set $m (call $rowmax (local.get $src) (local.get $n)))
        (local.set $s (call $rowexp (local.get $src) (local.get $dst) (local.get $n) (local.get $m) (i32.const 1)))
        (f64.store (local.get $pairs) (local.get $m))
        (f64.store offset=8 (local.get $pairs) (local.get $s))
        (local.set $pairs (i32.add (local.get $pairs) (i32.const 16)))
        (local.set $inv (f64x2.splat (f64.div (f64.const 1) (local.get $s))))
        (local.set $q (local.get $dst))
        (local.set $end (i32.add (local.get $q) (i32.mul (i32.and (local.get $n) (i32.const -2)) (i32.const 8))))
        (block $ndone
          (loop $nl
            (br_if $ndone (i32.ge_u (local.get $q) (local.get $end)))
            (v128.store (local.get $q) (f64x2.mul (v128.load (local.get $q)) (local.get $inv)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $nl)))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (f64.store (local.get $q) (f64.mul (f64.load (local.get $q)) (f64x2.extract_lane 0 (local.get $inv))))))
        (local.set $src (i32.add (local.get $src) (i32.mul (local.get $n) (i32.const 8))))
        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $n) (i32.const 8))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $row) (local.get $rows))))))
  )
)
