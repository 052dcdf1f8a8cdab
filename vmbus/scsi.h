/*
 * vmbus/scsi.h — a SCSI target with one logical unit (a direct-access
 * block device, SBC) backed by devices/disk.c. Pure: a CDB and a host
 * data buffer in, status + sense + bytes moved + completion cycle out; no
 * VMBus, no guest memory. The data buffer is one host buffer or a list
 * of host segments: the storage VSP (vmbus/storvsp.c) hands over the
 * child's pages, mapped, so a READ or WRITE moves the bytes between the
 * image file and the guest with no copy in between.
 */
#ifndef HVSIM_VMBUS_SCSI_H_
#define HVSIM_VMBUS_SCSI_H_

#include <stdint.h>
#include <sys/uio.h> /* struct iovec */

#include "cpu/cpu.h" /* cycles_t */

struct disk;
struct scsi_lun;

#define SCSI_BLOCK_SIZE 512u
#define SCSI_MAX_CDB	16u
#define SCSI_SENSE_LEN	18u /* fixed-format sense data */

/* SCSI status byte (SAM). */
#define SCSI_STATUS_GOOD	    0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02

/* Sense keys and additional sense codes we report (SPC). */
#define SCSI_KEY_NO_SENSE	      0x0
#define SCSI_KEY_MEDIUM_ERROR	      0x3
#define SCSI_KEY_ILLEGAL_REQUEST      0x5
#define SCSI_ASC_INVALID_OPCODE	      0x20 /* INVALID COMMAND OPERATION CODE */
#define SCSI_ASC_LBA_OUT_OF_RANGE     0x21
#define SCSI_ASC_INVALID_FIELD_CDB    0x24
#define SCSI_ASC_SAVING_NOT_SUPPORTED 0x39
#define SCSI_ASC_WRITE_ERROR	      0x0C
#define SCSI_ASC_UNRECOVERED_READ     0x11

struct scsi_config {
	const char *vendor;   /* ≤ 8 chars (space padded); NULL "Msft" */
	const char *product;  /* ≤ 16; NULL "Virtual Disk" */
	const char *revision; /* ≤ 4; NULL "1.0" */
	const char *serial;   /* ≤ 32; NULL "hvsim-0" */
	uint32_t max_transfer_bytes; /* advertised in VPD 0xB0; 0 = 256 KiB */
};

/* One command. The caller fills the inputs; scsi_execute the outputs. */
struct scsi_cmd {
	const uint8_t *cdb;
	unsigned cdb_len;
	uint8_t *buf;	  /* data-in: the target writes; data-out: reads */
	uint32_t buf_len; /* bytes the initiator offers (its transfer length) */
	/* Instead of buf (when non-NULL): the buffer as host segments, in
	 * order, holding at least buf_len bytes. */
	const struct iovec *iov;
	unsigned iovcnt;
	cycles_t now;	  /* arrival */
	/* outputs */
	uint8_t status; /* SCSI_STATUS_* */
	uint32_t xfer;	/* bytes moved (≤ buf_len) */
	uint8_t sense[SCSI_SENSE_LEN];
	unsigned sense_len; /* 0 unless CHECK CONDITION */
	cycles_t done;	    /* completion: the disk model's, or `now` */
};

/* NULL when the disk holds less than one block or out of memory. The
 * capacity is disk_size / 512 (a partial last block is not used). The
 * LUN does not own the disk. */
struct scsi_lun *scsi_lun_create(struct disk *disk,
				 const struct scsi_config *cfg);
void scsi_lun_destroy(struct scsi_lun *l);
uint64_t scsi_lun_blocks(const struct scsi_lun *l);

/* Run one command. Never fails as a function: every error is a CHECK
 * CONDITION with fixed-format sense (ILLEGAL REQUEST for bad CDBs,
 * MEDIUM ERROR when the host file fails). */
void scsi_execute(struct scsi_lun *l, struct scsi_cmd *c);

#endif
