/*
 * examples/runtime/uart.h — polled output on the 16550 UART at COM1.
 */
#ifndef HVRT_UART_H_
#define HVRT_UART_H_

#include <stddef.h>

void uart_init(void);
void uart_putc(char c);
void uart_write(const char *buf, size_t len);

#endif
