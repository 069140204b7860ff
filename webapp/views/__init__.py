"""Blueprints: parse the request, call one service, render a page or a fragment."""
