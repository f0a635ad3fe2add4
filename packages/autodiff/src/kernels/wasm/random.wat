;; The bulk generator's fast loops in WebAssembly: xoshiro128** words, 53-bit uniforms and the
;; ziggurat's fast path, the same bits as the JS reference (src/random/bulk-js.ts, which documents the
;; order the words are used in). The rare slow path (about 1% of normals) returns to JS, which runs
;; bulk-js.ts's zigguratSlow on the state in this memory: one implementation of exp and log.
;; Memory: K table [0, 2048), W table [2048, 4096) (written by src/random/bulk-wasm.ts at load),
;; state words at 4096, the pending slow draw at 4112 (layer i32, sign i32, x f64 at 4120),
;; output doubles from 8192.
(module
  (memory (export "memory") 2)

  ;; Normals into out[i, n); returns n, or the index whose draw needs the slow path (its layer, sign
  ;; and magnitude stored at 4112).
  (func (export "normal") (param $i i32) (param $n i32) (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $t i32) (local $a i32) (local $b i32) (local $layer i32) (local $h f64) (local $x f64)
    (local.set $s0 (i32.load (i32.const 4096)))
    (local.set $s1 (i32.load (i32.const 4100)))
    (local.set $s2 (i32.load (i32.const 4104)))
    (local.set $s3 (i32.load (i32.const 4108)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (local.set $b (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (local.set $layer (i32.and (local.get $a) (i32.const 255)))
        (local.set $h (f64.add
          (f64.mul (f64.convert_i32_u (local.get $b)) (f64.const 1048576))
          (f64.convert_i32_u (i32.shr_u (local.get $a) (i32.const 12)))))
        (local.set $x (f64.mul (local.get $h) (f64.load offset=2048 (i32.shl (local.get $layer) (i32.const 3)))))
        (if (f64.ge (local.get $h) (f64.load (i32.shl (local.get $layer) (i32.const 3))))
          (then
            (i32.store (i32.const 4112) (local.get $layer))
            (i32.store (i32.const 4116) (i32.and (local.get $a) (i32.const 256)))
            (f64.store (i32.const 4120) (local.get $x))
            (br $done)))
        ;; the sign by a product with ±1 (exact: a sign flip), not a branch that mispredicts half the time
        (f64.store offset=8192 (i32.shl (local.get $i) (i32.const 3))
          (f64.mul (local.get $x)
            (f64.convert_i32_s (i32.sub (i32.const 1) (i32.and (i32.shr_u (local.get $a) (i32.const 7)) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 4096) (local.get $s0))
    (i32.store (i32.const 4100) (local.get $s1))
    (i32.store (i32.const 4104) (local.get $s2))
    (i32.store (i32.const 4108) (local.get $s3))
    (local.get $i))

  ;; Uniforms in [0, 1) into out[0, n).
  (func (export "uniform") (param $n i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $t i32) (local $a i32) (local $b i32) (local $i i32)
    (local.set $s0 (i32.load (i32.const 4096)))
    (local.set $s1 (i32.load (i32.const 4100)))
    (local.set $s2 (i32.load (i32.const 4104)))
    (local.set $s3 (i32.load (i32.const 4108)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (local.set $b (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (f64.store offset=8192 (i32.shl (local.get $i) (i32.const 3))
          (f64.mul
            (f64.add
              (f64.mul (f64.convert_i32_u (local.get $a)) (f64.const 2097152))
              (f64.convert_i32_u (i32.shr_u (local.get $b) (i32.const 11))))
            (f64.const 0x1p-53)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 4096) (local.get $s0))
    (i32.store (i32.const 4100) (local.get $s1))
    (i32.store (i32.const 4104) (local.get $s2))
    (i32.store (i32.const 4108) (local.get $s3)))
)
