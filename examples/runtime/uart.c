/*
 * examples/runtime/uart.c — polled transmit on the 16550 UART at I/O port
 * 0x3F8 (COM1), the console of every hvsim guest (docs/BOOT.md, "Devices").
 *
 * Register map (offsets from 0x3F8; National PC16550D datasheet): 0 THR
 * (write) / divisor latch low when LCR.DLAB = 1, 1 IER / divisor high,
 * 2 FCR, 3 LCR, 4 MCR, 5 LSR. A byte may be written to THR once LSR bit 5
 * (THR empty) is set. The poll is bounded so that a missing or stuck UART
 * slows the guest down but never hangs it.
 */
#include "uart.h"

#include <stdint.h>

#include "io.h"

#define COM1         0x3F8
#define UART_THR     0
#define UART_DLL     0
#define UART_IER     1
#define UART_DLM     1
#define UART_FCR     2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define LCR_8N1      0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE   0x07 /* enable and clear both FIFOs */
#define MCR_DTR_RTS  0x03
#define LSR_THRE     0x20
#define POLL_LIMIT   100000

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);          /* no interrupts: we poll */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);          /* divisor 1: 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

void uart_putc(char c)
{
	for (int i = 0; i < POLL_LIMIT; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

void uart_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		uart_putc(buf[i]);
}
