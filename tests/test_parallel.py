import os

from certdrill.parallel import ordered_map


def square_and_where(chunk):
    return [n * n for n in chunk], os.getpid()


def test_chunks_go_to_worker_processes_and_come_back_in_order():
    chunks = [list(range(n, n + 3)) for n in range(0, 60, 3)]
    results = list(ordered_map(square_and_where, chunks, workers=2))
    assert [squares for squares, _ in results] == [[n * n for n in chunk] for chunk in chunks]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_chunk_or_one_worker_stays_in_this_process():
    assert list(ordered_map(square_and_where, [[1, 2]], workers=2)) == [([1, 4], os.getpid())]
    assert [pid for _, pid in ordered_map(square_and_where, [[1], [2]], workers=1)] == [os.getpid()] * 2
    assert list(ordered_map(square_and_where, [], workers=2)) == []
