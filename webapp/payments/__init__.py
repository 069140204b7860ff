"""Payment providers behind one interface (base.PaymentProvider). No Flask, no ORM here."""
