"""What the exchange announces to the apps above it (the chat). The exchange never imports
them: a higher app connects a receiver in its AppConfig.ready and reacts.

Every signal is sent inside the transaction of the change it announces, so a receiver's
writes commit or roll back with it.
"""

from django.dispatch import Signal

# A matching was published: its pairs and groups are final. Sent with `program`.
matching_published = Signal()

# An application changed state (submitted, confirmed, withdrawn…). Sent with `application`,
# `old_state` and `new_state`. The chat tells the sockets of the program's rooms.
application_state_changed = Signal()

# A program's cities changed (a partner added or removed). Sent with `program`.
program_cities_changed = Signal()

# A certificate is being rendered. Sent with `certificate` and `languages` (the certificate's
# languages, in order); a receiver returns the HTML of pages to add after the first (the
# outcomes add the participant's learning outcomes when they agreed), or "".
certificate_extra_pages = Signal()
