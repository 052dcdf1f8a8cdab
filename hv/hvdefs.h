/*
 * hv/hvdefs.h — the numbers of the Hyper-V guest interface: synthetic MSR
 * indices, hypercall codes and status codes, SynIC layout constants and
 * message types, the CPUID leaves' feature bits we use.
 *
 * Facts only (Hyper-V TLFS; ../shared/reference/vmbus.md §1–§3, checked
 * against Linux 6.1 in vmbus-linux61.md). Every hv/ module and the guest
 * runtime's tests name these constants rather than bare numbers.
 */
#ifndef HVSIM_HV_HVDEFS_H_
#define HVSIM_HV_HVDEFS_H_

/* ---- synthetic MSRs (vmbus.md §1.3) ------------------------------------- */
#define HV_MSR_GUEST_OS_ID	   0x40000000u
#define HV_MSR_HYPERCALL	   0x40000001u
#define HV_MSR_VP_INDEX		   0x40000002u
#define HV_MSR_RESET		   0x40000003u
#define HV_MSR_VP_RUNTIME	   0x40000010u
#define HV_MSR_TIME_REF_COUNT	   0x40000020u
#define HV_MSR_REFERENCE_TSC	   0x40000021u
#define HV_MSR_TSC_FREQUENCY	   0x40000022u
#define HV_MSR_APIC_FREQUENCY	   0x40000023u
#define HV_MSR_EOI		   0x40000070u
#define HV_MSR_ICR		   0x40000071u
#define HV_MSR_TPR		   0x40000072u
#define HV_MSR_VP_ASSIST_PAGE	   0x40000073u
#define HV_MSR_SCONTROL		   0x40000080u
#define HV_MSR_SVERSION		   0x40000081u
#define HV_MSR_SIEFP		   0x40000082u
#define HV_MSR_SIMP		   0x40000083u
#define HV_MSR_EOM		   0x40000084u
#define HV_MSR_SINT0		   0x40000090u /* ..0x4000009F: SINT0..15 */
#define HV_MSR_STIMER0_CONFIG	   0x400000B0u /* CONFIG even, COUNT odd */
#define HV_MSR_STIMER0_COUNT	   0x400000B1u /* ..0x400000B7: STIMER3 */
#define HV_MSR_GUEST_IDLE	   0x400000F0u
#define HV_MSR_CRASH_P0		   0x40000100u /* ..P4 = 0x40000104 */
#define HV_MSR_CRASH_CTL	   0x40000105u
#define HV_MSR_TSC_INVARIANT_CTL   0x40000118u

/* HYPERCALL / REFERENCE_TSC / SIMP / SIEFP / VP_ASSIST: bit 0 enable,
 * bits 12..63 the guest page number. */
#define HV_MSR_ENABLE	       1ull
#define HV_MSR_HYPERCALL_LOCK  2ull
#define HV_MSR_GPN_SHIFT       12
#define HV_CRASH_CTL_NOTIFY    (1ull << 63)
#define HV_CRASH_CTL_NOTIFY_MSG (1ull << 62) /* P3 = GPA of text, P4 = len */

/* SINTx (vmbus.md §1.3). */
#define HV_SINT_VECTOR_MASK 0xFFull
#define HV_SINT_MASKED	    (1ull << 16)
#define HV_SINT_AUTO_EOI    (1ull << 17)
#define HV_SINT_POLLING	    (1ull << 18)
/* STIMERx_CONFIG. */
#define HV_STIMER_ENABLE      (1ull << 0)
#define HV_STIMER_PERIODIC    (1ull << 1)
#define HV_STIMER_LAZY	      (1ull << 2)
#define HV_STIMER_AUTO_ENABLE (1ull << 3)
#define HV_STIMER_VECTOR_SHIFT 4 /* bits 4..11, direct mode */
#define HV_STIMER_DIRECT      (1ull << 12)
#define HV_STIMER_SINT_SHIFT  16 /* bits 16..19, message mode */

#define HV_SYNIC_SINT_COUNT   16
#define HV_SYNIC_STIMER_COUNT 4
#define HV_SYNIC_VERSION      1 /* SVERSION reads this */

/* ---- SynIC pages (vmbus.md §3) ------------------------------------------ */
#define HV_MESSAGE_SIZE		256 /* one SIMP slot */
#define HV_MESSAGE_PAYLOAD_MAX	240
#define HV_MESSAGE_FLAG_PENDING 0x01 /* byte 5 of a slot */
#define HV_EVENT_FLAGS_PER_SINT 2048 /* 256 bytes of SIEFP per SINT */

/* Message types (slot offset 0). Below 0x80000000: partition to
 * partition (VMBus uses 1). */
#define HVMSG_NONE	    0x00000000u
#define HVMSG_VMBUS	    0x00000001u
#define HVMSG_TIMER_EXPIRED 0x80000010u

/* ---- hypercalls (vmbus.md §2) -------------------------------------------- */
/* Control value (RCX). */
#define HV_HC_CODE_MASK	     0xFFFFull
#define HV_HC_FAST	     (1ull << 16)
#define HV_HC_VARHEAD_SHIFT  17 /* bits 17..26, 8-byte units */
#define HV_HC_VARHEAD_MASK   0x3FFull
#define HV_HC_REP_COUNT_SHIFT 32 /* bits 32..43 */
#define HV_HC_REP_START_SHIFT 48 /* bits 48..59 */
#define HV_HC_REP_MASK	     0xFFFull
/* Reserved: bits 27..31 (Linux 6.1 reserves 31 too), 44..47, 60..63. */
#define HV_HC_RESERVED_MASK  0xF000F000F8000000ull

/* Result value (RAX): status in bits 0..15, reps completed in 32..43. */
#define HV_HC_RESULT_REPS_SHIFT 32

/* Call codes. */
#define HVCALL_FLUSH_VA_SPACE	     0x0002u
#define HVCALL_FLUSH_VA_LIST	     0x0003u
#define HVCALL_NOTIFY_LONG_SPIN_WAIT 0x0008u
#define HVCALL_SEND_IPI		     0x000Bu
#define HVCALL_GET_PARTITION_ID	     0x0046u
#define HVCALL_POST_MESSAGE	     0x005Cu
#define HVCALL_SIGNAL_EVENT	     0x005Du

/* Status codes. */
#define HV_STATUS_SUCCESS		  0x0000u
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x0002u
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x0003u
#define HV_STATUS_INVALID_ALIGNMENT	  0x0004u
#define HV_STATUS_INVALID_PARAMETER	  0x0005u
#define HV_STATUS_ACCESS_DENIED		  0x0006u
#define HV_STATUS_INVALID_PARTITION_STATE 0x0007u
#define HV_STATUS_OPERATION_DENIED	  0x0008u
#define HV_STATUS_INSUFFICIENT_MEMORY	  0x000Bu
#define HV_STATUS_INVALID_PARTITION_ID	  0x000Du
#define HV_STATUS_INVALID_VP_INDEX	  0x000Eu
#define HV_STATUS_NOT_FOUND		  0x0010u
#define HV_STATUS_INVALID_PORT_ID	  0x0011u
#define HV_STATUS_INVALID_CONNECTION_ID	  0x0012u
#define HV_STATUS_INSUFFICIENT_BUFFERS	  0x0013u
#define HV_STATUS_NOT_ACKNOWLEDGED	  0x0014u
#define HV_STATUS_INVALID_VP_STATE	  0x0015u
#define HV_STATUS_ACKNOWLEDGED		  0x0016u
#define HV_STATUS_INVALID_SYNIC_STATE	  0x0018u
#define HV_STATUS_OBJECT_IN_USE		  0x0019u
#define HV_STATUS_NO_DATA		  0x001Bu
#define HV_STATUS_NO_RESOURCES		  0x001Du
#define HV_STATUS_FEATURE_UNAVAILABLE	  0x001Eu

/* HvPostMessage input block (vmbus.md §2.6). */
#define HV_POST_MESSAGE_SIZE 256
/* Messages a port queues before HvPostMessage says INSUFFICIENT_BUFFERS
 * (TLFS: 16 message buffers per port). */
#define HV_PORT_QUEUE_MAX 16

/* ---- CPUID (vmbus.md §1.2) ----------------------------------------------- */
#define HV_CPUID_VENDOR	   0x40000000u
#define HV_CPUID_INTERFACE 0x40000001u
#define HV_CPUID_VERSION   0x40000002u
#define HV_CPUID_FEATURES  0x40000003u
#define HV_CPUID_HINTS	   0x40000004u
#define HV_CPUID_LIMITS	   0x40000005u
#define HV_CPUID_HWFEAT	   0x40000006u
#define HV_CPUID_MAX_LEAF  HV_CPUID_HWFEAT

/* ---- our vectors and the reference clock --------------------------------- */
#define HV_REF_HZ 10000000ull /* reference time counts 100 ns units */

#endif
