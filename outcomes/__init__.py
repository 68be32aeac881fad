"""What the exchanges achieved: participant surveys, learning outcomes, partnership action
plans with indicators, dashboards and the annual report. It reads the exchange (applications,
attendance, certificates) and never writes it; the exchange announces what happened
(exchange.signals) and this app reacts."""
