"""No import cycles among the project's own modules, not even through imports written inside
functions (grimp counts those too): each cycle found is named, module by module.

``.importlinter`` says which way the apps and the newsletter's layers depend (``make test``
runs lint-imports); this test catches what a contract doesn't list, e.g. two modules of one
layer importing each other. Tests and migrations are left out: they may import anything.
"""

import grimp

FIRST_PARTY = ("config", "core", "home", "news", "newsletter")
LEFT_OUT = {"tests", "migrations"}


def import_graph():
    """``{module: modules it imports}`` over the first-party modules, tests and migrations
    left out."""
    graph = grimp.build_graph(*FIRST_PARTY, cache_dir=None)
    modules = {name for name in graph.modules if not LEFT_OUT & set(name.split("."))}
    return {name: graph.find_modules_directly_imported_by(name) & modules for name in modules}


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan's algorithm,
    without recursion), each as a sorted list."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = low[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(edges[other]))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def a_cycle(edges, component):
    """One shortest way round ``component``, from its first module back to it."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for other in sorted(edges[module] & members):
            if other == start:
                return [*paths[module], start]
            if other not in paths:
                paths[other] = [*paths[module], other]
                queue.append(other)
    return component


def test_cycles_are_found_and_named():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}

    assert cycles(edges) == [["a", "b", "c"]]
    assert a_cycle(edges, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_module_imports_itself_back():
    edges = import_graph()
    assert "newsletter.models" in edges and "newsletter.tests" not in edges

    found = cycles(edges)

    assert not found, "Import cycles (each: its modules, then one way round):\n" + "\n".join(
        f"- {', '.join(component)}\n  {' -> '.join(a_cycle(edges, component))}"
        for component in found
    )
