"""The demo: the real partner-city network with programs, people and chats, for `make run`.

It sits above every other app (it seeds chat rooms as well as programs).
"""
