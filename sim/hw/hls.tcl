# hls.tcl - C synthesis of the pdswap kernels with Vitis HLS 2024.1.
#
#   vitis_hls -f sim/hw/hls.tcl -tclargs [HEADER_DIR [KERNEL ...]]
#
# Run from the repository root.  HEADER_DIR holds the headers written by
# `pdswap-dse emit-hls` (default sim/hw/generated); KERNEL is any of
# tlmm, attn_prefill, attn_decode (default: all three), or, for a design
# whose partition holds a set of modules, attn_prefill@rmK or
# attn_decode@rmK: the kernel of module K, built with its header
# pds_rmK.h (-DPDS_RM_HEADER).  Each kernel gets its own project under
# build/hls_prj/KERNEL (KERNEL_rmK), synthesised as a Vivado IP for the
# KV260's part at the clock of the design point (PDS_CLOCK_MHZ in
# HEADER_DIR/pds_common.h).  The headers carry every size and pragma
# factor, so this script sets nothing else.

set part xck26-sfvc784-2LV-c
set hdr sim/hw/generated
if {$argc > 0} {
    set hdr [lindex $argv 0]
}
set want [lrange $argv 1 end]

# top function, source file
set kernels {
    tlmm          sim/hw/tlmm.c
    attn_prefill  sim/hw/attn_prefill.c
    attn_decode   sim/hw/attn_decode.c
}

set fh [open [file join $hdr pds_common.h] r]
set text [read $fh]
close $fh
if {![regexp {#define PDS_CLOCK_MHZ +([0-9]+)} $text -> mhz]} {
    error "$hdr/pds_common.h defines no PDS_CLOCK_MHZ; regenerate it with pdswap-dse emit-hls"
}
set period [format %.3f [expr {1000.0 / $mhz}]]

# the modules asked for, per kernel: {attn_decode rm1} from attn_decode@rm1
set runs {}
foreach {top src} $kernels {
    if {[llength $want] == 0 || [lsearch -exact $want $top] >= 0} {
        lappend runs [list $top $src ""]
    }
    foreach w $want {
        if {[regexp "^${top}@(rm\\d+)\$" $w -> rm]} {
            if {![file exists [file join $hdr pds_$rm.h]]} {
                error "$hdr/pds_$rm.h does not exist: the design has no module [string range $rm 2 end]"
            }
            lappend runs [list $top $src $rm]
        }
    }
}

foreach run $runs {
    lassign $run top src rm
    set prj build/hls_prj/$top
    set flags "-std=c11 -I$hdr -Isim/hw"
    if {$rm ne ""} {
        set prj ${prj}_$rm
        append flags " -DPDS_RM_HEADER=\\\"pds_$rm.h\\\""
    }
    open_project -reset $prj
    set_top $top
    add_files $src -cflags $flags
    open_solution -reset -flow_target vivado sol
    set_part $part
    create_clock -period $period -name default
    csynth_design
    close_project
}
exit
