"""Thin function views: look the object up through its scope and rule, parse a form, call one service."""
