/*
 * sim/cmd_disasm.h — `hvsim disasm FILE`: disassemble an ELF's code with
 * Capstone and our own decoder side by side (sim/cmd_disasm.c).
 */
#ifndef HVSIM_SIM_CMD_DISASM_H_
#define HVSIM_SIM_CMD_DISASM_H_

/* argv[0] is "disasm", argv[1] the ELF file. Returns 0, or 2 (with a
 * one-line message on stderr) for a missing, unreadable or non-x86 file. */
int cmd_disasm(int argc, char **argv);

#endif
