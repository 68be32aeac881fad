"""What the exchange's own duty-of-care part does when another part announces a change
(issue 15): connected in ExchangeConfig.ready."""
