;; Matrix-product macro-kernel in WebAssembly SIMD (f64x2), hand-written; compiled to bytes at build time
;; by packages/autodiff/scripts/build-wasm.mjs (wabt's wat2wasm) into gemm-module.ts.
;;
;; Layout (all offsets in bytes, all in this module's memory, filled by the JS packing code):
;;   packed A: ceil(mc/4) panels of 4 rows, stored column by column: panel ip at pa + ip*32*kc,
;;             element (p, r) at +(p*4 + r)*8 (zero rows past the edge);
;;   packed B: ceil(n/4) panels of 4 columns, stored row by row: panel jp at pb + jp*32*kc,
;;             element (p, c) at +(p*4 + c)*8 (zero columns past the edge);
;;   C block:  row-major with a row stride of ldc doubles (ldc = 4*ceil(n/4)), tile (ip, jp) at
;;             pc + (4*ip*ldc + 4*jp)*8; always whole 4 x 4 tiles, the JS side copies out what exists.
;; The register tile is 4 rows x 4 columns = 8 f64x2 accumulators $c<row><half>, half 0 = columns
;; 0-1, half 1 = columns 2-3. Each k step loads two f64x2 of B and splats four scalars of A.
;; `first` = 1 stores the tile, 0 adds it to what the C block holds (k split into chunks).
(module
  (memory (export "memory") 1)
  (func (export "macro")
    (param $pa i32) (param $pb i32) (param $pc i32)
    (param $mp i32) (param $np i32) (param $kc i32) (param $ldc i32) (param $first i32)
    (local $jp i32) (local $ip i32) (local $ia i32) (local $ib i32) (local $end i32)
    (local $panel i32) (local $row i32) (local $c i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $panel (i32.mul (local.get $kc) (i32.const 32)))
    (local.set $row (i32.mul (local.get $ldc) (i32.const 8)))
    ;; B panel outer: one 4 x kc panel of B stays in L1 while the A panels stream past it
    (local.set $jp (i32.const 0))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $jp) (local.get $np)))
        (local.set $ip (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $ip) (local.get $mp)))
            (local.set $c00 (v128.const f64x2 0 0))
            (local.set $c01 (v128.const f64x2 0 0))
            (local.set $c10 (v128.const f64x2 0 0))
            (local.set $c11 (v128.const f64x2 0 0))
            (local.set $c20 (v128.const f64x2 0 0))
            (local.set $c21 (v128.const f64x2 0 0))
            (local.set $c30 (v128.const f64x2 0 0))
            (local.set $c31 (v128.const f64x2 0 0))
            (local.set $ia (i32.add (local.get $pa) (i32.mul (local.get $ip) (local.get $panel))))
            (local.set $ib (i32.add (local.get $pb) (i32.mul (local.get $jp) (local.get $panel))))
            (local.set $end (i32.add (local.get $ib) (local.get $panel)))
            (loop $ploop
              (local.set $b0 (v128.load (local.get $ib)))
              (local.set $b1 (v128.load offset=16 (local.get $ib)))
              (local.set $a (v128.load64_splat offset=0 (local.get $ia)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=8 (local.get $ia)))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=16 (local.get $ia)))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $a (v128.load64_splat offset=24 (local.get $ia)))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $a) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $a) (local.get $b1))))
              (local.set $ia (i32.add (local.get $ia) (i32.const 32)))
              (local.set $ib (i32.add (local.get $ib) (i32.const 32)))
              (br_if $ploop (i32.lt_u (local.get $ib) (local.get $end))))
            ;; the tile's first element: row 4*ip, column 4*jp of the C block
            (local.set $c (i32.add (local.get $pc) (i32.add
              (i32.mul (i32.mul (local.get $ip) (i32.const 4)) (local.get $row))
              (i32.mul (local.get $jp) (i32.const 32)))))
            (if (local.get $first)
              (then
                (v128.store offset=0 (local.get $c) (local.get $c00))
                (v128.store offset=16 (local.get $c) (local.get $c01))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c10))
                (v128.store offset=16 (local.get $c) (local.get $c11))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c20))
                (v128.store offset=16 (local.get $c) (local.get $c21))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (local.get $c30))
                (v128.store offset=16 (local.get $c) (local.get $c31))
              )
              (else
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c00)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c01)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c10)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c11)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c20)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c21)))
                (local.set $c (i32.add (local.get $c) (local.get $row)))
                (v128.store offset=0 (local.get $c) (f64x2.add (v128.load offset=0 (local.get $c)) (local.get $c30)))
                (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c31)))
              ))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
            (br $iloop)))
        (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
        (br $jloop)))
  )
)
