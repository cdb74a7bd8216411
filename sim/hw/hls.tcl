# hls.tcl - C synthesis of the pdswap kernels with Vitis HLS 2024.1.
#
#   vitis_hls -f sim/hw/hls.tcl -tclargs [HEADER_DIR [KERNEL ...]]
#
# Run from the repository root.  HEADER_DIR holds the headers written by
# `pdswap-dse emit-hls` (default sim/hw/generated); KERNEL is any of
# tlmm, attn_prefill, attn_decode (default: all three).  Each kernel gets
# its own project under build/hls_prj/KERNEL, synthesised as a Vivado IP
# for the KV260's part at the clock of the design point (PDS_CLOCK_MHZ in
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

foreach {top src} $kernels {
    if {[llength $want] > 0 && [lsearch -exact $want $top] < 0} {
        continue
    }
    open_project -reset build/hls_prj/$top
    set_top $top
    add_files $src -cflags "-std=c11 -I$hdr -Isim/hw"
    open_solution -reset -flow_target vivado sol
    set_part $part
    create_clock -period $period -name default
    csynth_design
    close_project
}
exit
