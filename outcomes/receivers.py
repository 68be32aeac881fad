"""How outcomes reacts to what the exchange announces (exchange.signals). Each receiver is
connected here, once, and stays thin: it calls a service."""
